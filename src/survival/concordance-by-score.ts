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
 */
import type { ConcordanceCounts } from './concordance.js';

/** A Fenwick tree over ranks 0..size-1, with the per-rank values beside it. */
class RankTree {
  readonly tree: Float64Array;
  readonly point: Float64Array;
  total = 0;
  constructor(readonly size: number) {
    this.tree = new Float64Array(size + 1);
    this.point = new Float64Array(size);
  }
  add(rank: number, weight: number): void {
    this.point[rank] += weight;
    this.total += weight;
    const tree = this.tree;
    for (let i = rank + 1; i <= this.size; i += i & -i) tree[i] += weight;
  }
  /** Weight at ranks < rank. */
  below(rank: number): number {
    let s = 0;
    const tree = this.tree;
    for (let i = rank; i > 0; i -= i & -i) s += tree[i];
    return s;
  }
}

export interface ScoreSweepInput {
  m: number;
  /** Dense time rank (0..nt-1) and score rank of each local row. */
  tRank: Int32Array;
  nt: number;
  xRank: Int32Array;
  /** Local rows in ascending score order. */
  xOrder: Int32Array;
  status: Uint8Array;
  w: Float64Array;
  /** timewt of each time rank (0 where there is no death). */
  timewtAtRank: Float64Array;
}

/** Adds this stratum's counts, and writes each local row's influence sums into i0, i1, i2. */
export function sweepByScore(input: ScoreSweepInput, counts: ConcordanceCounts, i0: Float64Array, i1: Float64Array, i2: Float64Array): void {
  const { m, tRank, nt, xRank, xOrder, status, w, timewtAtRank } = input;
  const gt = new Int32Array(m);
  const gx = new Int32Array(m);
  const gs = new Uint8Array(m);
  const gw = new Float64Array(m);
  const ga = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const row = xOrder[k];
    gt[k] = tRank[row];
    gx[k] = xRank[row];
    gs[k] = status[row];
    gw[k] = w[row];
    ga[k] = gs[k] === 1 ? timewtAtRank[gt[k]] : 0;
  }
  // Totals over all scores per time rank: the weight at risk after a death at rank r, and the
  // weighted deaths a subject at rank r is at risk after (earlier ones; those at r if it is censored).
  const allAt = new Float64Array(nt);
  const censAt = new Float64Array(nt);
  const deathAt = new Float64Array(nt);
  const deathW = new Float64Array(nt);
  const deathW2 = new Float64Array(nt);
  for (let k = 0; k < m; k++) {
    const r = gt[k];
    allAt[r] += gw[k];
    if (gs[k] === 1) {
      deathAt[r] += gw[k] * ga[k];
      deathW[r] += gw[k];
      deathW2[r] += gw[k] * gw[k];
    } else censAt[r] += gw[k];
  }
  const riskAfter = new Float64Array(nt);
  for (let r = nt - 1, later = 0; r >= 0; r--) {
    riskAfter[r] = later + censAt[r];
    later += allAt[r];
  }
  const deathsBefore = new Float64Array(nt);
  for (let r = 0, earlier = 0; r < nt; r++) {
    deathsBefore[r] = earlier;
    earlier += deathAt[r];
  }

  const deathConc = new Float64Array(m);
  const deathDisc = new Float64Array(m);
  const riskConc = new Float64Array(m);
  const riskDisc = new Float64Array(m);
  const sweep = (ascending: boolean): void => {
    const all = new RankTree(nt);
    const deaths = new RankTree(nt);
    const cens = new Float64Array(nt);
    // The trees hold the subjects with strictly smaller (ascending) or larger (descending) score.
    const deathSide = ascending ? deathDisc : deathConc;
    const riskSide = ascending ? riskConc : riskDisc;
    let k0 = ascending ? 0 : m - 1;
    while (ascending ? k0 < m : k0 >= 0) {
      let k1 = k0;
      const step = ascending ? 1 : -1;
      while (k1 + step >= 0 && k1 + step < m && gx[k1 + step] === gx[k0]) k1 += step;
      const lo = Math.min(k0, k1);
      const hi = Math.max(k0, k1);
      for (let k = lo; k <= hi; k++) {
        const r = gt[k];
        if (gs[k] === 1) deathSide[k] = all.total - all.below(r + 1) + cens[r];
        riskSide[k] = deaths.below(r) + (gs[k] === 0 ? deaths.point[r] : 0);
      }
      for (let k = lo; k <= hi; k++) {
        all.add(gt[k], gw[k]);
        if (gs[k] === 1) deaths.add(gt[k], gw[k] * ga[k]);
        else cens[gt[k]] += gw[k];
      }
      k0 = k1 + step;
    }
  };
  sweep(true);
  sweep(false);

  let tiedXY = 0;
  for (let k0 = 0; k0 < m; ) {
    let k1 = k0;
    while (k1 + 1 < m && gx[k1 + 1] === gx[k0]) k1++;
    if (k1 > k0) tiedXY += tiedDeathPairs(gt, gs, gw, ga, k0, k1);
    k0 = k1 + 1;
  }
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  for (let k = 0; k < m; k++) {
    const r = gt[k];
    const row = xOrder[k];
    let c = riskConc[k];
    let d = riskDisc[k];
    let t = deathsBefore[r] + (gs[k] === 0 ? deathAt[r] : 0) - c - d;
    if (gs[k] === 1) {
      const a = ga[k];
      const tiedAsDeath = riskAfter[r] - deathConc[k] - deathDisc[k];
      c += a * deathConc[k];
      d += a * deathDisc[k];
      t += a * tiedAsDeath;
      concordant += gw[k] * a * deathConc[k];
      discordant += gw[k] * a * deathDisc[k];
      tiedX += gw[k] * a * tiedAsDeath;
    }
    i0[row] = c;
    i1[row] = d;
    i2[row] = t;
  }
  let tiedY = 0;
  for (let r = 0; r < nt; r++) if (deathW[r] > 0) tiedY += (timewtAtRank[r] * (deathW[r] * deathW[r] - deathW2[r])) / 2;
  counts.concordant += concordant;
  counts.discordant += discordant;
  counts.tiedX += tiedX;
  // Pairs of deaths tied on time and score are tied on time in R's count only once.
  counts.tiedY += tiedY - tiedXY;
  counts.tiedXY += tiedXY;
}

/** Sum over pairs of deaths in positions lo..hi (one score) with equal time of w_k w_l timewt. */
function tiedDeathPairs(gt: Int32Array, gs: Uint8Array, gw: Float64Array, ga: Float64Array, lo: number, hi: number): number {
  const items: [number, number, number][] = [];
  for (let k = lo; k <= hi; k++) if (gs[k] === 1) items.push([gt[k], gw[k], ga[k]]);
  if (items.length < 2) return 0;
  items.sort((p, q) => p[0] - q[0]);
  let total = 0;
  for (let a = 0; a < items.length; ) {
    let sum = 0;
    let sum2 = 0;
    let b = a;
    for (; b < items.length && items[b][0] === items[a][0]; b++) {
      sum += items[b][1];
      sum2 += items[b][1] * items[b][1];
    }
    total += (items[a][2] * (sum * sum - sum2)) / 2;
    a = b;
  }
  return total;
}
