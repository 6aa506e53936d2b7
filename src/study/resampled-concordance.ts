/**
 * Harrell's and Uno's C for bootstrap resamples of a small evaluation set, fast.
 *
 * The study draws thousands of resamples of a test split of a few hundred patients. The statistics
 * module's concordance() is O(n log n) with radix sorts built for millions of rows, and at a few
 * hundred rows its fixed cost (milliseconds per call) would make the demo's bootstrap take minutes.
 * Here a resample is a vector of case weights (how often each patient was drawn), and the pairs are
 * counted directly, O(n^2) with a tiny constant. The rules are survival::concordance's, exactly as
 * src/survival/concordance.ts implements them (a test checks equality on resamples with tied times
 * and scores): a pair is comparable when the shorter time is an event and the other time is longer,
 * or equal and censored; score ties count one half; Uno's weight of a pair is 1/G(t-)^2 at the event
 * time, G the Kaplan-Meier of censoring with deaths leaving the risk set first at tied times, and
 * 0 after tau; with fewer than two events Uno's C falls back to Harrell's, as survival does.
 * Point estimates in the study always come from the statistics module itself.
 */

export interface EvaluationSet {
  time: Float64Array;
  event: Uint8Array;
}

/** Patients sorted by time once, so every resample reuses the order. */
export class ResampledConcordance {
  private readonly order: Int32Array;
  private readonly time: Float64Array;
  private readonly event: Uint8Array;

  constructor(set: EvaluationSet) {
    const n = set.time.length;
    this.order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => set.time[a] - set.time[b] || set.event[b] - set.event[a]);
    this.time = Float64Array.from(this.order, (i) => set.time[i]);
    this.event = Uint8Array.from(this.order, (i) => set.event[i]);
  }

  get n(): number {
    return this.order.length;
  }

  /** Case weights (draw counts) of a resample given as row indices. */
  weightsOf(rows: ArrayLike<number>): Float64Array {
    const w = new Float64Array(this.order.length);
    for (let k = 0; k < rows.length; k++) w[rows[k]]++;
    return w;
  }

  /** Scores permuted into the time order, once per model. */
  sortedScore(score: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.order, (i) => score[i]);
  }

  /** Weights permuted into the time order, once per resample. */
  sortedWeights(weights: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.order, (i) => weights[i]);
  }

  /**
   * Per sorted patient, the weight its comparable pairs get when it is the event: 1 for Harrell;
   * 1/G(t-)^2 (0 after tau) for Uno. NaN when the resample has no event.
   */
  pairWeights(sortedW: Float64Array, kind: 'harrell' | 'uno', tau?: number): Float64Array | null {
    const n = this.time.length;
    const t = this.time;
    const e = this.event;
    let events = 0;
    for (let k = 0; k < n; k++) if (e[k] === 1) events += sortedW[k];
    if (events === 0) return null;
    const adj = new Float64Array(n).fill(1);
    if (kind === 'harrell' || events < 2) return adj;
    let atRisk = 0;
    for (let k = 0; k < n; k++) atRisk += sortedW[k];
    let g = 1;
    for (let k = 0; k < n; ) {
      let j = k;
      let deaths = 0;
      let censored = 0;
      for (; j < n && t[j] === t[k]; j++) {
        if (e[j] === 1) deaths += sortedW[j];
        else censored += sortedW[j];
      }
      const v = tau !== undefined && t[k] > tau ? 0 : 1 / (g * g);
      for (let q = k; q < j; q++) adj[q] = Number.isFinite(v) ? v : 0;
      const r = atRisk - deaths;
      if (censored > 0 && r > 0) g *= (r - censored) / r;
      atRisk -= deaths + censored;
      k = j;
    }
    return adj;
  }

  /** C of sorted scores under sorted weights; NaN when there is no comparable pair. */
  concordance(sortedScore: Float64Array, sortedW: Float64Array, adj: Float64Array): number {
    const n = this.time.length;
    const t = this.time;
    const e = this.event;
    let concordant = 0;
    let discordant = 0;
    let tied = 0;
    for (let i = 0; i < n; i++) {
      const wi = sortedW[i];
      if (e[i] !== 1 || wi === 0) continue;
      const ti = t[i];
      const si = sortedScore[i];
      let c = 0;
      let d = 0;
      let s = 0;
      // Sorted by time with events before censorings at a tied time: everyone after i with a later
      // time, or the same time and censored, is comparable.
      for (let j = i + 1; j < n; j++) {
        const wj = sortedW[j];
        if (wj === 0 || (t[j] === ti && e[j] === 1)) continue;
        const sj = sortedScore[j];
        if (si > sj) c += wj;
        else if (si < sj) d += wj;
        else s += wj;
      }
      const w = wi * adj[i];
      concordant += w * c;
      discordant += w * d;
      tied += w * s;
    }
    const pairs = concordant + discordant + tied;
    return pairs > 0 ? (concordant + tied / 2) / pairs : NaN;
  }
}
