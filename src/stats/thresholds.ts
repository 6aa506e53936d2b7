/**
 * Classification at a threshold: a subject is called positive when score >= threshold. Sensitivity,
 * specificity, PPV and NPV with Wilson score intervals (R's prop.test(correct = FALSE) interval), and
 * Youden's threshold (maximising sensitivity + specificity - 1 over the observed scores).
 */
import { InputError } from '../util/errors.js';
import { normalQuantile } from './distributions.js';

export interface Proportion {
  estimate: number;
  lower: number;
  upper: number;
  numerator: number;
  denominator: number;
}

export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: Proportion;
  specificity: Proportion;
  ppv: Proportion;
  npv: Proportion;
  youden: number;
}

/** Wilson score interval for x successes out of n. */
export function wilson(x: number, n: number, level = 0.95): Proportion {
  if (n === 0) return { estimate: NaN, lower: NaN, upper: NaN, numerator: x, denominator: n };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), numerator: x, denominator: n };
}

/** Labels must be 0 or 1 and scores finite, one of each per subject; errors name the row. */
export function checkLabelsAndScores(label: ArrayLike<number>, score: ArrayLike<number>): void {
  if (label.length !== score.length) throw new InputError(`labels (${label.length}) and scores (${score.length}) differ in length`);
  for (let i = 0; i < label.length; i++) {
    if (label[i] !== 0 && label[i] !== 1) throw new InputError(`label, row ${i}: must be 0 or 1, got ${label[i]}`);
    if (!Number.isFinite(score[i])) throw new InputError(`score, row ${i}: missing or non-finite value (${score[i]})`);
  }
}

export function metricsAtThreshold(label: ArrayLike<number>, score: ArrayLike<number>, threshold: number, level = 0.95): ThresholdMetrics {
  checkLabelsAndScores(label, score);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < label.length; i++) {
    const called = score[i] >= threshold;
    if (label[i] === 1) {
      if (called) tp++;
      else fn++;
    } else if (called) fp++;
    else tn++;
  }
  const sensitivity = wilson(tp, tp + fn, level);
  const specificity = wilson(tn, tn + fp, level);
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    sensitivity,
    specificity,
    ppv: wilson(tp, tp + fp, level),
    npv: wilson(tn, tn + fn, level),
    youden: sensitivity.estimate + specificity.estimate - 1,
  };
}

/**
 * The empirical ROC sweep: one point per distinct score, from the highest down, giving the rates when
 * every score at or above that threshold is called positive. Tied scores move both rates at once
 * (a diagonal step), as the AUROC counts ties one half.
 */
export function rocSweep(label: ArrayLike<number>, score: ArrayLike<number>): { thresholds: number[]; fpr: number[]; tpr: number[] } {
  const n = label.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += label[i];
  const negatives = n - positives;
  const thresholds: number[] = [];
  const fpr: number[] = [];
  const tpr: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; ) {
    const s = score[order[k]];
    while (k < n && score[order[k]] === s) {
      if (label[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    thresholds.push(s);
    fpr.push(fp / negatives);
    tpr.push(tp / positives);
  }
  return { thresholds, fpr, tpr };
}

/** The ROC curve for plotting: the sweep with (0, 0) in front; it ends at (1, 1). */
export function rocCurve(label: ArrayLike<number>, score: ArrayLike<number>): { fpr: number[]; tpr: number[] } {
  const sweep = rocSweep(label, score);
  return { fpr: [0, ...sweep.fpr], tpr: [0, ...sweep.tpr] };
}

/** The observed score that maximises Youden's J (the highest such score when several tie). */
export function youdenThreshold(label: ArrayLike<number>, score: ArrayLike<number>): number {
  checkLabelsAndScores(label, score);
  let pos = 0;
  for (let i = 0; i < label.length; i++) pos += label[i];
  if (pos === 0 || pos === label.length) throw new InputError('Youden threshold needs positives and negatives');
  const sweep = rocSweep(label, score);
  let best = 0;
  for (let k = 1; k < sweep.thresholds.length; k++) {
    if (sweep.tpr[k] - sweep.fpr[k] > sweep.tpr[best] - sweep.fpr[best]) best = k;
  }
  return sweep.thresholds[best];
}
