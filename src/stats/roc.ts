/**
 * ROC analysis for a binary outcome: AUROC (the Mann-Whitney probability that a positive scores
 * higher than a negative, ties 1/2), its DeLong variance and CI, and DeLong's test comparing two
 * correlated AUROCs on the same subjects (as pROC's roc.test(method = "delong")). Higher score =
 * more likely positive. O(n log n).
 */
import { InputError } from '../util/errors.js';
import { normalQuantile, normalTwoSidedP } from './distributions.js';
import { countAtMost, countBelow } from '../util/sorted-search.js';
import { checkLabelsAndScores } from './thresholds.js';

export interface AurocResult {
  auc: number;
  se: number;
  ci95: [number, number];
  nPositive: number;
  nNegative: number;
}

interface Placements {
  auc: number;
  /** For each positive: P(negative < it) + 1/2 P(tie). */
  v10: Float64Array;
  /** For each negative: P(positive > it) + 1/2 P(tie). */
  v01: Float64Array;
}

function checkBinary(label: ArrayLike<number>, score: ArrayLike<number>): { pos: Float64Array; neg: Float64Array } {
  checkLabelsAndScores(label, score);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < label.length; i++) (label[i] === 1 ? pos : neg).push(score[i]);
  if (pos.length === 0 || neg.length === 0) throw new InputError(`AUROC needs positives and negatives (got ${pos.length} and ${neg.length})`);
  return { pos: Float64Array.from(pos), neg: Float64Array.from(neg) };
}

/** Number of sorted values < v and number equal to v. */
function placement(sorted: Float64Array, v: number): [number, number] {
  const below = countBelow(sorted, v);
  return [below, countAtMost(sorted, v) - below];
}

function placements(pos: Float64Array, neg: Float64Array): Placements {
  const sPos = Float64Array.from(pos).sort();
  const sNeg = Float64Array.from(neg).sort();
  const v10 = new Float64Array(pos.length);
  const v01 = new Float64Array(neg.length);
  let total = 0;
  for (let i = 0; i < pos.length; i++) {
    const [below, tied] = placement(sNeg, pos[i]);
    v10[i] = (below + 0.5 * tied) / neg.length;
    total += v10[i];
  }
  for (let j = 0; j < neg.length; j++) {
    const [below, tied] = placement(sPos, neg[j]);
    v01[j] = (pos.length - below - tied + 0.5 * tied) / pos.length;
  }
  return { auc: total / pos.length, v10, v01 };
}

function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

export function auroc(label: ArrayLike<number>, score: ArrayLike<number>, level = 0.95): AurocResult {
  const { pos, neg } = checkBinary(label, score);
  const p = placements(pos, neg);
  const variance = covariance(p.v10, p.v10) / pos.length + covariance(p.v01, p.v01) / neg.length;
  const se = Math.sqrt(variance);
  const z = normalQuantile(1 - (1 - level) / 2);
  return {
    auc: p.auc,
    se,
    ci95: [Math.max(0, p.auc - z * se), Math.min(1, p.auc + z * se)],
    nPositive: pos.length,
    nNegative: neg.length,
  };
}

export interface DelongComparison {
  auc1: number;
  auc2: number;
  difference: number;
  se: number;
  z: number;
  p: number;
  ci95: [number, number];
}

/** DeLong's test for two scores on the same subjects (paired). */
export function compareAuroc(label: ArrayLike<number>, score1: ArrayLike<number>, score2: ArrayLike<number>, level = 0.95): DelongComparison {
  const a = checkBinary(label, score1);
  const b = checkBinary(label, score2);
  const p1 = placements(a.pos, a.neg);
  const p2 = placements(b.pos, b.neg);
  const m = a.pos.length;
  const n = a.neg.length;
  const v1 = covariance(p1.v10, p1.v10) / m + covariance(p1.v01, p1.v01) / n;
  const v2 = covariance(p2.v10, p2.v10) / m + covariance(p2.v01, p2.v01) / n;
  const c12 = covariance(p1.v10, p2.v10) / m + covariance(p1.v01, p2.v01) / n;
  const se = Math.sqrt(v1 + v2 - 2 * c12);
  const difference = p1.auc - p2.auc;
  const z = difference / se;
  const q = normalQuantile(1 - (1 - level) / 2);
  return { auc1: p1.auc, auc2: p2.auc, difference, se, z, p: normalTwoSidedP(z), ci95: [difference - q * se, difference + q * se] };
}
