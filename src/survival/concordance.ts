/**
 * Concordance (C-index) for right-censored data, computed as survival::concordance does (timewt "n"
 * gives Harrell's C, "n/G2" Uno's C), with the infinitesimal-jackknife variance, in O(n log n).
 *
 * A higher score means a higher risk. A pair is comparable when the shorter time is an event and the
 * other time is strictly longer, or equal but censored (a censored time tied with an event time is
 * taken as longer); two events at the same time are "tied on time" and left out. Pairs tied on score
 * count one half. Each comparable pair of an event at time t is weighted by timewt(t): 1 for "n",
 * 1/G(t-)^2 for "n/G2", where G is the Kaplan-Meier of the censoring distribution (survival's
 * fastkm1: at a tied time deaths precede censorings, so they leave G's risk set first); with tau, event
 * times after tau get weight 0 (R's ymax).
 *
 * The variance is R's: each observation's influence on Somers' d from the counts of pairs it is in,
 * var(C) = sum(dfbeta^2) / 4.
 *
 * Two sweeps give the same sums: over time with Fenwick trees keyed by score rank (as R does), or,
 * when there are fewer distinct times than scores, over scores with trees keyed by time rank
 * (concordance-by-score.ts), whose trees are then small enough to stay in cache.
 */
import { InputError } from '../util/errors.js';
import { checkFinite, checkSurvival, checkWeights, strataCodes } from './validate.js';
import { argsortNumbers, denseRanks, identityOrder, orderByKeys, type DenseRanks } from './order.js';
import { LaneTree } from './fenwick.js';
import { timefixWithRanks } from './timefix.js';
import { sweepByScore, type ConcordanceCounts } from './concordance-by-score.js';
import { take } from './bootstrap.js';

export type { ConcordanceCounts };

export type TimeWeight = 'n' | 'n/G' | 'n/G2';

export interface ConcordanceOptions {
  timewt?: TimeWeight;
  /** Events after tau do not count (R's ymax). */
  tau?: number;
  /** Events before ymin do not count. */
  ymin?: number;
  weights?: ArrayLike<number>;
  strata?: ArrayLike<number | string>;
  /** Merge times equal up to rounding noise, as R's timefix = TRUE (default true). */
  timefix?: boolean;
  /** Which sweep computes the sums (same answer; default: the faster for the data). For tests. */
  sweep?: 'auto' | 'time' | 'score';
  /**
   * Sorts kept between calls on the same data (Harrell's and Uno's C of one score): pass the same
   * empty object to each call. It is used only when the time, event and score arrays are the very
   * same objects as in the call that filled it (unchanged in between: the caller's promise), without
   * strata or weights; otherwise it is ignored.
   */
  shared?: ConcordanceSorts;
}

/** What concordance() keeps in ConcordanceOptions.shared: the fixed times and both rankings. */
export interface ConcordanceSorts {
  inputs?: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, boolean];
  time?: Float64Array;
  event?: Uint8Array;
  timeRanks?: DenseRanks;
  xOrder?: Int32Array;
  xRank?: DenseRanks;
}

export interface ConcordanceResult {
  c: number;
  /** Infinitesimal-jackknife standard error (sqrt of R's var). */
  se: number;
  variance: number;
  counts: ConcordanceCounts;
  n: number;
  /** Influence of each observation on C (R's dfbeta / 2 with reverse = TRUE); sum of squares = variance. */
  influence: Float64Array;
}

/** One time weighting of the pairs: Harrell's C is { timewt: 'n' }, Uno's { timewt: 'n/G2', tau }. */
export interface TimeWeighting {
  timewt?: TimeWeight;
  /** Events after tau do not count (R's ymax). */
  tau?: number;
  /** Events before ymin do not count. */
  ymin?: number;
}

export function concordance(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  score: ArrayLike<number>,
  options: ConcordanceOptions = {},
): ConcordanceResult {
  return concordances(time, event, score, [{ timewt: options.timewt, tau: options.tau, ymin: options.ymin }], options)[0];
}

/**
 * The C of one score under several time weightings (Harrell's and Uno's C together), each exactly as
 * concordance() gives it alone: the checks, the sorts and, when it sweeps by score, the sweep itself
 * are shared. The weightings replace options.timewt, tau and ymin.
 */
export function concordances(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  score: ArrayLike<number>,
  weightings: TimeWeighting[],
  options: ConcordanceOptions = {},
): ConcordanceResult[] {
  const timefixOn = options.timefix !== false;
  const shareable = options.shared !== undefined && options.strata === undefined && options.weights === undefined;
  const cached = shareable ? options.shared! : undefined;
  const reuse = cached?.inputs !== undefined && cached.inputs[0] === time && cached.inputs[1] === event && cached.inputs[2] === score && cached.inputs[3] === timefixOn;
  const surv = reuse ? { time: cached!.time!, event: cached!.event! } : checkSurvival(time, event);
  let timeRanks: DenseRanks | undefined = reuse ? cached!.timeRanks : undefined;
  if (!reuse && timefixOn) {
    const fixed = timefixWithRanks(surv.time);
    surv.time = fixed.time;
    timeRanks = fixed.ranks;
  }
  const n = surv.time.length;
  const risk = checkFinite(score, n, 'score');
  const weights = checkWeights(options.weights, n);
  for (const { timewt } of weightings) {
    if (timewt !== undefined && timewt !== 'n' && timewt !== 'n/G' && timewt !== 'n/G2') throw new InputError(`timewt must be "n", "n/G" or "n/G2", got "${String(timewt)}"`);
  }
  const { codes, levels } = strataCodes(options.strata, n);

  // R's convention: concordant = the longer survivor has the larger x. A higher score is a higher
  // risk, so x = -score gives the C-index for risk scores directly.
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = -risk[i];

  const sums: WeightingSums[] = weightings.map((wt) => ({
    weighting: { timewt: wt.timewt ?? 'n', tau: wt.tau, ymin: wt.ymin },
    counts: { concordant: 0, discordant: 0, tiedX: 0, tiedY: 0, tiedXY: 0 },
    pieces: [],
  }));
  if (levels.length === 1) {
    const sorts: ConcordanceSorts | undefined = cached === undefined ? undefined : reuse ? cached : { inputs: [time, event, score, timefixOn], time: surv.time, event: surv.event, timeRanks };
    countStratum(identityOrder(n), surv.time, surv.event, x, weights, options, sums, timeRanks, sorts);
    if (cached !== undefined && !reuse && sorts !== undefined) Object.assign(cached, sorts);
  } else {
    const members: number[][] = levels.map(() => []);
    for (let i = 0; i < n; i++) members[codes[i]].push(i);
    for (const rows of members) countStratum(Int32Array.from(rows), surv.time, surv.event, x, weights, options, sums);
  }
  const unweighted = options.weights === undefined;
  return sums.map(({ counts, pieces }) => {
    const npair = counts.concordant + counts.discordant + counts.tiedX;
    const somer = (counts.concordant - counts.discordant) / npair;
    const influence = new Float64Array(n);
    let varSomer = 0;
    for (const { rows, i0, i1, i2 } of pieces) {
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k];
        const d = (unweighted ? 1 : weights[i]) * ((i0[k] - i1[k]) / npair - (somer / npair) * (i0[k] + i1[k] + i2[k]));
        influence[i] = d / 2;
        varSomer += d * d;
      }
    }
    const variance = varSomer / 4;
    return { c: (somer + 1) / 2, se: Math.sqrt(variance), variance, counts, n, influence };
  });
}

/**
 * One weighting's counts, and its influence sums (R's imat columns) in pieces, one per stratum: entry k
 * of a piece's i0, i1, i2 belongs to row rows[k] (the sweeps write them in their own order).
 */
interface WeightingSums {
  weighting: { timewt: TimeWeight; tau?: number; ymin?: number };
  counts: ConcordanceCounts;
  pieces: { rows: Int32Array; i0: Float64Array; i1: Float64Array; i2: Float64Array }[];
}

/** Harrell's C (survival::concordance, timewt "n"): higher score = higher risk. */
export function harrellC(time: ArrayLike<number>, event: ArrayLike<number>, score: ArrayLike<number>, options: Omit<ConcordanceOptions, 'timewt'> = {}): ConcordanceResult {
  return concordance(time, event, score, { ...options, timewt: 'n' });
}

/** Uno's C (survival::concordance, timewt "n/G2", optional truncation at tau). */
export function unoC(time: ArrayLike<number>, event: ArrayLike<number>, score: ArrayLike<number>, options: Omit<ConcordanceOptions, 'timewt'> = {}): ConcordanceResult {
  return concordance(time, event, score, { ...options, timewt: 'n/G2' });
}

/**
 * The statistic for bootstrapCi: the C of the rows a resample picks (NaN when they hold no event or
 * no comparable pair, so bootstrapCi drops it).
 */
export function concordanceOfRows(time: ArrayLike<number>, event: ArrayLike<number>, score: ArrayLike<number>, options: ConcordanceOptions = {}): (rows: Int32Array) => number {
  const t = Float64Array.from(time);
  const e = Uint8Array.from(event);
  const s = Float64Array.from(score);
  return (rows) => concordance(take(t, rows), take(e, rows), take(s, rows), options).c;
}

/**
 * Counts one stratum (rows = its row indices) into each weighting's counts and influence sums.
 */
function countStratum(
  rows: Int32Array,
  timeAll: Float64Array,
  eventAll: Uint8Array,
  xAll: Float64Array,
  weightAll: Float64Array,
  options: ConcordanceOptions,
  sums: WeightingSums[],
  /** Dense ranks of the times when rows are all rows (saves a sort). */
  timeRanks?: DenseRanks,
  /** All rows only: the score's sort from an earlier call is taken from here, or left here for the next. */
  sorts?: ConcordanceSorts,
): void {
  const m = rows.length;
  const time = new Float64Array(m);
  const status = new Uint8Array(m);
  const x = new Float64Array(m);
  const w = new Float64Array(m);
  let nEvents = 0;
  for (let k = 0; k < m; k++) {
    const r = rows[k];
    time[k] = timeAll[r];
    status[k] = eventAll[r];
    x[k] = xAll[r];
    w[k] = weightAll[r];
    nEvents += status[k];
  }
  if (nEvents === 0) return;

  const tRank = timeRanks ?? denseRanks(time);
  if (sorts !== undefined) sorts.timeRanks = tRank;
  const nt = tRank.unique.length;
  // With one event there is no censoring weight to speak of: every weighting counts as "n".
  const timewts = sums.map(({ weighting }) => eventTimeWeights(tRank.rank, tRank.unique, status, w, nEvents < 2 ? 'n' : weighting.timewt, weighting));

  const xOrder = sorts?.xOrder ?? argsortNumbers(x);
  const xRank = sorts?.xRank ?? denseRanks(x, xOrder);
  if (sorts !== undefined) {
    sorts.xOrder = xOrder;
    sorts.xRank = xRank;
  }
  const nx = xRank.unique.length;
  const sweep = options.sweep ?? 'auto';
  if (sweep === 'score' || (sweep === 'auto' && nt < nx)) {
    // Fewer distinct times than scores: sweep by score with small trees over time (same answer).
    const hasDeath = new Uint8Array(nt);
    for (let k = 0; k < m; k++) if (status[k] === 1) hasDeath[tRank.rank[k]] = 1;
    const timewtAtRank = timewts.map((timewt) => {
      const atRank = new Float64Array(nt);
      for (let r = 0, e = 0; r < nt; r++) if (hasDeath[r]) atRank[r] = timewt[e++];
      return atRank;
    });
    const out = sums.map(({ counts }) => ({ counts, i0: new Float64Array(m), i1: new Float64Array(m), i2: new Float64Array(m) }));
    sweepByScore({ m, tRank: tRank.rank, nt, xOrder, xRankInOrder: xRank.rankInOrder, status, w: options.weights === undefined ? undefined : w, timewtAtRank }, out);
    // Position k of the sweep is local row xOrder[k], which is row rows[xOrder[k]] of the data.
    const whole = m === timeAll.length;
    const sweepRows = whole ? xOrder : xOrder.map((local) => rows[local]);
    sums.forEach((s, q) => s.pieces.push({ rows: sweepRows, i0: out[q].i0, i1: out[q].i1, i2: out[q].i2 }));
    return;
  }
  sums.forEach((s, q) => sweepByTime(rows, time, status, w, tRank, xOrder, xRank, timewts[q], s));
}

/** The sweep over time with Fenwick trees keyed by score rank, as survival::concordance does it. */
function sweepByTime(
  rows: Int32Array,
  time: Float64Array,
  status: Uint8Array,
  w: Float64Array,
  tRank: DenseRanks,
  xOrder: Int32Array,
  xRank: DenseRanks,
  timewt: Float64Array,
  { counts, pieces }: WeightingSums,
): void {
  const m = rows.length;
  const nt = tRank.unique.length;
  const nx = xRank.unique.length;
  // order(-time, status, x): latest first, censored before deaths at a time, then by x.
  const order = orderByKeys(m, [
    { keys: tRank.rank, size: nt, descending: true },
    { keys: status, size: 2 },
  ], xOrder); // xOrder is already sorted by x, the least significant key
  const xr = xRank.rank;
  // Tree 0 (ALL): everyone with a later time; tree 1 (DEATHS): deaths so far, weighted by timewt.
  const trees = new LaneTree(nx, 2);
  const ALL = 0;
  const DEATHS = 1;
  // Gather everything into sweep order once, so the sweep itself reads memory sequentially; the
  // influence sums (i0, i1, i2) are kept by sweep position and scattered back at the end.
  const sr = new Int32Array(m);
  const sw = new Float64Array(m);
  const ss = new Uint8Array(m);
  const st = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const row = order[k];
    sr[k] = xr[row];
    sw[k] = w[row];
    ss[k] = status[row];
    st[k] = time[row];
  }
  const i0 = new Float64Array(m);
  const i1 = new Float64Array(m);
  const i2 = new Float64Array(m);
  let utime = timewt.length - 1;
  let tiedY = 0;
  let tiedXY = 0;
  for (let i = 0; i < m; ) {
    if (ss[i] === 0) {
      // Censored: into the all-subjects tree; its influence starts from the deaths seen so far.
      const r = sr[i];
      const below = trees.below(DEATHS, r);
      const at = trees.at(DEATHS, r);
      i0[i] -= below;
      i1[i] -= trees.total[DEATHS] - below - at;
      i2[i] -= at;
      trees.add(ALL, r, sw[i]);
      i++;
      continue;
    }
    // All deaths tied at this time (censored rows at the same time came first: they are at risk).
    const adj = timewt[utime--];
    const t = st[i];
    let dwt = 0;
    let dwt2 = 0;
    let xsave = -1;
    let j = i;
    for (; j < m && st[j] === t; j++) {
      const r = sr[j];
      const wj = sw[j];
      tiedY += wj * dwt * adj;
      dwt += wj;
      if (r !== xsave) {
        dwt2 = 0;
        xsave = r;
      }
      tiedXY += wj * dwt2 * adj;
      dwt2 += wj;
      const below = trees.below(ALL, r);
      const at = trees.at(ALL, r);
      const above = trees.total[ALL] - below - at;
      counts.concordant += wj * above * adj;
      counts.discordant += wj * below * adj;
      counts.tiedX += wj * at * adj;
      i0[j] += above * adj;
      i1[j] += below * adj;
      i2[j] += at * adj;
      trees.add(DEATHS, r, adj * wj);
    }
    for (let k = i; k < j; k++) {
      const r = sr[k];
      const below = trees.below(DEATHS, r);
      const at = trees.at(DEATHS, r);
      i0[k] -= below;
      i1[k] -= trees.total[DEATHS] - below - at;
      i2[k] -= at;
      trees.add(ALL, r, sw[k]);
    }
    i = j;
  }
  // The death tree is final now: one prefix-sum table answers every remaining query in O(1).
  const deathBelow = trees.prefixSums(DEATHS);
  const deathTotal = trees.total[DEATHS];
  const sweepRows = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const r = sr[k];
    const below = deathBelow[r];
    const at = deathBelow[r + 1] - below;
    sweepRows[k] = rows[order[k]];
    i0[k] += below;
    i1[k] += deathTotal - below - at;
    i2[k] += at;
  }
  pieces.push({ rows: sweepRows, i0, i1, i2 });
  // Pairs tied on both time and score were counted in tiedY too (as R does, then subtracts).
  counts.tiedY += tiedY - tiedXY;
  counts.tiedXY += tiedXY;
}

/**
 * The weight of each distinct event time, ascending: 1 ("n"), 1/G(t-) ("n/G"), 1/G(t-)^2 ("n/G2"),
 * where G is the (case-weighted) Kaplan-Meier of the censoring times; 0 outside [ymin, tau].
 */
function eventTimeWeights(
  tRank: Int32Array,
  uniqueTimes: Float64Array,
  status: Uint8Array,
  w: Float64Array,
  kind: TimeWeight,
  options: TimeWeighting,
): Float64Array {
  const nt = uniqueTimes.length;
  const atRiskFrom = new Float64Array(nt + 1);
  const deaths = new Float64Array(nt);
  const censored = new Float64Array(nt);
  for (let k = 0; k < tRank.length; k++) {
    const r = tRank[k];
    atRiskFrom[r] += w[k];
    if (status[k] === 1) deaths[r] += w[k];
    else censored[r] += w[k];
  }
  for (let r = nt - 1; r >= 0; r--) atRiskFrom[r] += atRiskFrom[r + 1];
  const out: number[] = [];
  let g = 1; // G(t-) at the current time
  for (let r = 0; r < nt; r++) {
    if (deaths[r] > 0) {
      const t = uniqueTimes[r];
      let v = kind === 'n' ? 1 : kind === 'n/G' ? 1 / g : 1 / (g * g);
      if (options.ymin !== undefined && t < options.ymin) v = 0;
      if (options.tau !== undefined && t > options.tau) v = 0;
      out.push(Number.isFinite(v) ? v : 0);
    }
    // As survival's fastkm1: at a time with both, deaths come before censorings, so the
    // censoring risk set at t excludes the deaths at t.
    const atRisk = atRiskFrom[r] - deaths[r];
    if (censored[r] > 0 && atRisk > 0) g *= (atRisk - censored[r]) / atRisk;
  }
  return Float64Array.from(out);
}
