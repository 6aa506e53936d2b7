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
import { metricsAtThreshold, rocCurve, youdenThreshold } from '../stats/thresholds.js';
import type { Random } from '../util/random.js';
import type { VariantResult } from '../report/results.js';

export const THRESHOLD_RULE = "Youden's J on the pooled out-of-fold scores (the score maximising sensitivity + specificity - 1)";

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
  /**
   * Relative cost of one fold (default 1): with several slots the costliest folds start first, so no
   * core is left with one long fold at the end. The order never changes a result.
   */
  cost?: number;
}

/**
 * Cross-validates every candidate on the same stratified folds and marks the one with the highest
 * AUROC as chosen (the first listed wins a tie). Up to `slots` folds are fitted at once (each fold's
 * scores depend only on its rows and seed, so the result is the same for any number of slots).
 */
export async function compareVariants(
  candidates: VariantCandidate[],
  label: Uint8Array,
  folds: number,
  random: Random,
  onFold?: (candidate: VariantCandidate, fold: number) => void,
  slots = 1,
): Promise<VariantResult[]> {
  const held = stratifiedFolds(label, folds, random);
  const oof = candidates.map(() => new Float64Array(label.length).fill(NaN));
  const tasks = candidates.flatMap((c, ci) => held.map((_, k) => ({ c, ci, k }))).sort((a, b) => (b.c.cost ?? 1) - (a.c.cost ?? 1));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const { c, ci, k } = tasks[next++]!;
      onFold?.(c, k);
      const scores = await c.fitAndScore(complement(label.length, held[k]), held[k], k);
      if (scores.length !== held[k].length) throw new Error(`variant ${c.variant}: ${scores.length} scores for ${held[k].length} held-out rows`);
      held[k].forEach((row, j) => (oof[ci]![row] = scores[j]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(slots, tasks.length)) }, lane));
  const results = candidates.map((c, ci) => judgeScores(c.variant, c.masks, label, oof[ci]!));
  let best = 0;
  results.forEach((r, i) => {
    if (r.auroc > results[best].auroc) best = i;
  });
  if (results.length > 0) results[best].chosen = true;
  return results;
}
