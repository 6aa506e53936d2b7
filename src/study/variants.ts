/**
 * The paper's Table 2: the preprocessing variants compared by k-fold cross-validation inside the
 * training split. Each variant's model is fitted on k - 1 folds and scores the held-out fold; the
 * pooled out-of-fold scores of every training patient give the AUROC (DeLong CI), the ROC curve and
 * sensitivity, specificity, PPV and NPV at a stated threshold. The same folds serve every variant, so
 * the comparison is paired. The variant with the highest AUROC is chosen; the test split never is
 * looked at.
 */
import { stratifiedFolds, complement } from '../models/splits.js';
import { auroc } from '../stats/roc.js';
import { metricsAtThreshold, youdenThreshold } from '../stats/thresholds.js';
import type { Random } from '../util/random.js';
import type { VariantResult } from './results.js';

export const THRESHOLD_RULE = "Youden's J on the pooled out-of-fold scores (the score maximising sensitivity + specificity - 1)";

/**
 * The empirical ROC curve: one point per distinct score, from the highest down, starting at (0, 0)
 * and ending at (1, 1). Tied scores move both rates at once (a diagonal step), as the AUROC counts
 * ties one half.
 */
export function rocCurve(label: ArrayLike<number>, score: ArrayLike<number>): { fpr: number[]; tpr: number[] } {
  const n = label.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += label[i];
  const negatives = n - positives;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; ) {
    const s = score[order[k]];
    while (k < n && score[order[k]] === s) {
      if (label[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / negatives);
    tpr.push(tp / positives);
  }
  return { fpr, tpr };
}

/** AUROC with its DeLong CI, the ROC curve and the four rates at Youden's threshold. */
export function judgeScores(variant: string, masks: boolean, label: ArrayLike<number>, score: ArrayLike<number>): VariantResult {
  const a = auroc(label, score);
  const threshold = youdenThreshold(label, score);
  const m = metricsAtThreshold(label, score, threshold);
  return {
    variant,
    masks,
    auroc: a.auc,
    auroc_ci95: a.ci95,
    sensitivity: m.sensitivity.estimate,
    specificity: m.specificity.estimate,
    ppv: m.ppv.estimate,
    npv: m.npv.estimate,
    threshold,
    n: label.length,
    positives: a.nPositive,
    roc: rocCurve(label, score),
    chosen: false,
  };
}

export interface VariantCandidate {
  variant: string;
  masks: boolean;
  /**
   * Fits the variant's model on the `fit` rows (indices into the training split) and returns a score
   * for each `held` row (higher = more likely a fracture).
   */
  fitAndScore(fit: Int32Array, held: Int32Array, fold: number): Promise<Float64Array> | Float64Array;
}

/**
 * Cross-validates every candidate on the same stratified folds and marks the one with the highest
 * AUROC as chosen (the first listed wins a tie).
 */
export async function compareVariants(
  candidates: VariantCandidate[],
  label: Uint8Array,
  folds: number,
  random: Random,
  onFold?: (candidate: VariantCandidate, fold: number) => void,
): Promise<VariantResult[]> {
  const held = stratifiedFolds(label, folds, random);
  const results: VariantResult[] = [];
  for (const c of candidates) {
    const oof = new Float64Array(label.length).fill(NaN);
    for (let k = 0; k < held.length; k++) {
      onFold?.(c, k);
      const scores = await c.fitAndScore(complement(label.length, held[k]), held[k], k);
      if (scores.length !== held[k].length) throw new Error(`variant ${c.variant}: ${scores.length} scores for ${held[k].length} held-out rows`);
      held[k].forEach((row, j) => (oof[row] = scores[j]));
    }
    results.push(judgeScores(c.variant, c.masks, label, oof));
  }
  let best = 0;
  results.forEach((r, i) => {
    if (r.auroc > results[best].auroc) best = i;
  });
  if (results.length > 0) results[best].chosen = true;
  return results;
}
