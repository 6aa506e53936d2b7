/**
 * The concordance counts and influence sums of concordance.ts computed the other way round: sweeping
 * the subjects in order of score with Fenwick trees keyed by time rank, instead of sweeping time with
 * trees keyed by score rank. The pairs and weights are the same (a death i and a subject j at risk
 * after it: t_j > t_i, or t_j = t_i with j censored; weight w_i w_j timewt(t_i)), so the results agree
 * to rounding. It is used when there are fewer distinct times than distinct scores (follow-up in days
 * and a continuous risk score): the trees are then small and stay in cache.
 *
 * Orientation is R's (x = the internal score, concordant = the subject at risk after the death has
 * the larger x). Each subject has two roles: as the death of a pair (sums weighted by its timewt) and
 * as the subject at risk (sums of the deaths' w * timewt); the influence is the sum of both.
 *
 * One ascending sweep is enough: what a subject meets with a larger score is what it meets in all
 * (per-time totals, known before the sweep) less what it met with a smaller or the same score. A
 * score held by one subject only (the usual case with a continuous score) ties with nobody, so its
 * subject needs no second query. Several time weightings (Harrell's and Uno's C) share the sweep:
 * the all-subjects tree does not depend on the weighting, and the deaths tree has one lane each.
 */
import { LaneTree } from './fenwick.js';

/** Pair counts as R's survival::concordance reports them (count: concordant, discordant, tied.x, tied.y, tied.xy). */
export interface ConcordanceCounts {
  concordant: number;
  discordant: number;
  tiedX: number;
  tiedY: number;
  tiedXY: number;
}

export interface ScoreSweepInput {
  m: number;
  /** Dense time rank (0..nt-1) of each local row. */
  tRank: Int32Array;
  nt: number;
  /** Local rows in ascending score order, and the score's dense rank at each position of that order. */
  xOrder: Int32Array;
  xRankInOrder: Int32Array;
  status: Uint8Array;
  /** Case weights; undefined when every weight is 1 (then none are gathered). */
  w: Float64Array | undefined;
  /** Per time weighting: timewt of each time rank (0 where there is no death). */
  timewtAtRank: Float64Array[];
}

/**
 * What the sweep adds up for one time weighting. i0, i1, i2 (length m, zero on entry) are written by
 * position in score order: entry k is local row xOrder[k] (sequential writes; the caller maps them to
 * rows).
 */
export interface ScoreSweepSums {
  counts: ConcordanceCounts;
  i0: Float64Array;
  i1: Float64Array;
  i2: Float64Array;
}

/**
 * Adds this stratum's counts to each weighting's sums, and writes the influence sums in score order.
 * Per-weighting values sit side by side (index r * K + q) so that one walk of a tree serves them all.
 */
export function sweepByScore(input: ScoreSweepInput, sums: ScoreSweepSums[]): void {
  const { m, tRank, nt, xOrder, xRankInOrder: gx, status, w, timewtAtRank } = input;
  const K = timewtAtRank.length;
  // Everything in score order once, so the sweep reads memory sequentially; time rank and status
  // travel packed (2 * rank + status) so that the gather reads one array at random, not two.
  const packed = new Int32Array(m);
  for (let row = 0; row < m; row++) packed[row] = 2 * tRank[row] + status[row];
  const gt = new Int32Array(m);
  const gs = new Uint8Array(m);
  for (let k = 0; k < m; k++) {
    const code = packed[xOrder[k]];
    gt[k] = code >> 1;
    gs[k] = code & 1;
  }
  let gw: Float64Array;
  if (w === undefined) gw = new Float64Array(m).fill(1);
  else {
    gw = new Float64Array(m);
    for (let k = 0; k < m; k++) gw[k] = w[xOrder[k]];
  }
  const twt = new Float64Array(nt * K);
  for (let q = 0; q < K; q++) for (let r = 0; r < nt; r++) twt[r * K + q] = timewtAtRank[q][r];
  // Totals over all scores per time rank: the weight at risk after a death at rank r, and the
  // weighted deaths a subject at rank r is at risk after (earlier ones; those at r if it is censored).
  const allAt = new Float64Array(nt);
  const censAt = new Float64Array(nt);
  const deathW = new Float64Array(nt);
  const deathW2 = new Float64Array(nt);
  const deathAt = new Float64Array(nt * K);
  for (let k = 0; k < m; k++) {
    const r = gt[k];
    const wk = gw[k];
    allAt[r] += wk;
    if (gs[k] === 1) {
      for (let q = 0; q < K; q++) deathAt[r * K + q] += wk * twt[r * K + q];
      deathW[r] += wk;
      deathW2[r] += wk * wk;
    } else censAt[r] += wk;
  }
  const riskAfter = new Float64Array(nt);
  for (let r = nt - 1, later = 0; r >= 0; r--) {
    riskAfter[r] = later + censAt[r];
    later += allAt[r];
  }
  // deathsMet[(2r + c) K + q]: the deaths of weighting q that a subject at rank r is at risk after,
  // when it is censored (c = 1: those before r and at r) or dead (c = 0: those before r).
  const deathsMet = new Float64Array(2 * nt * K);
  for (let q = 0; q < K; q++) {
    for (let r = 0, earlier = 0; r < nt; r++) {
      deathsMet[2 * r * K + q] = earlier;
      deathsMet[(2 * r + 1) * K + q] = earlier + deathAt[r * K + q];
      earlier += deathAt[r * K + q];
    }
  }

  // The trees hold the subjects with a smaller score than the current group (then, for a tied
  // group's second query, the group too): all of them by weight, and the deaths by w * timewt.
  // cens[r]: censored weight at rank r in the tree.
  const all = new LaneTree(nt, 1);
  const deaths = new LaneTree(nt, K);
  const cens = new Float64Array(nt);
  const met = new Float64Array(K);
  const add = new Float64Array(K);
  const concordant = new Float64Array(K);
  const discordant = new Float64Array(K);
  const tiedX = new Float64Array(K);
  const tiedXY = new Float64Array(K);
  const I0 = sums.map((s) => s.i0);
  const I1 = sums.map((s) => s.i1);
  const I2 = sums.map((s) => s.i2);
  // A tied group's first-query results, kept for its second query.
  let firstDeath = new Float64Array(0);
  let firstRisk = new Float64Array(0);
  /** Weight in the all-subjects tree at risk after a death at rank r: later times, and censored at r. */
  const atRiskAfterDeath = (r: number): number => all.total[0] - all.below(0, r + 1) + cens[r];
  /** met[q] = weighting q's deaths in the tree that a subject at rank r (censored or not) is at risk after. */
  const deathsBefore = (r: number, censored: number): void => {
    deaths.belowLanes(r, met);
    if (censored) for (let q = 0; q < K; q++) met[q] += deaths.at(q, r);
  };
  const addToTrees = (k: number): void => {
    const r = gt[k];
    all.add(0, r, gw[k]);
    if (gs[k] === 1) {
      for (let q = 0; q < K; q++) add[q] = gw[k] * twt[r * K + q];
      deaths.addLanes(r, add);
    } else cens[r] += gw[k];
  };

  for (let lo = 0; lo < m; ) {
    let hi = lo;
    while (hi + 1 < m && gx[hi + 1] === gx[lo]) hi++;
    if (hi === lo) {
      // A score of its own: ties with nobody, so larger = all - smaller, and i2 stays 0.
      const k = lo;
      const r = gt[k];
      const dead = gs[k] === 1;
      const censored = 1 - gs[k];
      const smallerAtRisk = dead ? atRiskAfterDeath(r) : 0;
      const largerAtRisk = dead ? riskAfter[r] - smallerAtRisk : 0;
      deathsBefore(r, censored);
      for (let q = 0; q < K; q++) {
        const smallerDeaths = met[q];
        let c = smallerDeaths;
        let d = deathsMet[(2 * r + censored) * K + q] - smallerDeaths;
        if (dead) {
          const a = twt[r * K + q];
          c += a * largerAtRisk;
          d += a * smallerAtRisk;
          concordant[q] += gw[k] * a * largerAtRisk;
          discordant[q] += gw[k] * a * smallerAtRisk;
        }
        I0[q][k] = c;
        I1[q][k] = d;
      }
      addToTrees(k);
      lo = hi + 1;
      continue;
    }
    // A tied group: query with the smaller scores in the trees, add the group, query again; the
    // difference is what each member meets within its own score.
    const size = hi - lo + 1;
    if (firstDeath.length < size) {
      firstDeath = new Float64Array(2 * size);
      firstRisk = new Float64Array(2 * size * K);
    }
    for (let k = lo; k <= hi; k++) {
      const j = k - lo;
      firstDeath[j] = gs[k] === 1 ? atRiskAfterDeath(gt[k]) : 0;
      deathsBefore(gt[k], 1 - gs[k]);
      for (let q = 0; q < K; q++) firstRisk[j * K + q] = met[q];
    }
    for (let k = lo; k <= hi; k++) addToTrees(k);
    for (let k = lo; k <= hi; k++) {
      const r = gt[k];
      const j = k - lo;
      const dead = gs[k] === 1;
      const censored = 1 - gs[k];
      const notLargerAtRisk = dead ? atRiskAfterDeath(r) : 0;
      const smallerAtRisk = firstDeath[j];
      const largerAtRisk = dead ? riskAfter[r] - notLargerAtRisk : 0;
      const tiedAtRisk = dead ? notLargerAtRisk - smallerAtRisk : 0;
      deathsBefore(r, censored);
      for (let q = 0; q < K; q++) {
        const smallerDeaths = firstRisk[j * K + q];
        const notLargerDeaths = met[q];
        let c = smallerDeaths;
        let d = deathsMet[(2 * r + censored) * K + q] - notLargerDeaths;
        let t = notLargerDeaths - smallerDeaths;
        if (dead) {
          const a = twt[r * K + q];
          c += a * largerAtRisk;
          d += a * smallerAtRisk;
          t += a * tiedAtRisk;
          concordant[q] += gw[k] * a * largerAtRisk;
          discordant[q] += gw[k] * a * smallerAtRisk;
          tiedX[q] += gw[k] * a * tiedAtRisk;
        }
        I0[q][k] = c;
        I1[q][k] = d;
        I2[q][k] = t;
      }
    }
    tiedDeathPairs(gt, gs, gw, twt, K, lo, hi, tiedXY);
    lo = hi + 1;
  }

  for (let q = 0; q < K; q++) {
    let tiedY = 0;
    for (let r = 0; r < nt; r++) if (deathW[r] > 0) tiedY += (twt[r * K + q] * (deathW[r] * deathW[r] - deathW2[r])) / 2;
    const counts = sums[q].counts;
    counts.concordant += concordant[q];
    counts.discordant += discordant[q];
    counts.tiedX += tiedX[q];
    // Pairs of deaths tied on time and score are tied on time in R's count only once.
    counts.tiedY += tiedY - tiedXY[q];
    counts.tiedXY += tiedXY[q];
  }
}

/**
 * Adds to out[q], for each weighting q, the sum over pairs of deaths in positions lo..hi (one score)
 * with equal time of w_k w_l timewt_q (twt[r * K + q]).
 */
function tiedDeathPairs(gt: Int32Array, gs: Uint8Array, gw: Float64Array, twt: Float64Array, K: number, lo: number, hi: number, out: Float64Array): void {
  const items: [number, number][] = [];
  for (let k = lo; k <= hi; k++) if (gs[k] === 1) items.push([gt[k], gw[k]]);
  if (items.length < 2) return;
  items.sort((p, q) => p[0] - q[0]);
  for (let a = 0; a < items.length; ) {
    let sum = 0;
    let sum2 = 0;
    let b = a;
    for (; b < items.length && items[b][0] === items[a][0]; b++) {
      sum += items[b][1];
      sum2 += items[b][1] * items[b][1];
    }
    for (let q = 0; q < K; q++) out[q] += (twt[items[a][0] * K + q] * (sum * sum - sum2)) / 2;
    a = b;
  }
}
