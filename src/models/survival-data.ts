/**
 * The survival data a model trains on: a covariate matrix (row-major, n x p) with each row's time and
 * event (1 = event, 0 = censored), and optionally a stratum per row. Kept as plain typed arrays so
 * that batching, folds and splits never touch the tensor engine.
 */
export interface SurvivalData {
  /** Row-major n x p covariate matrix. */
  x: Float64Array;
  n: number;
  p: number;
  time: Float64Array;
  event: Uint8Array;
  strata?: Int32Array;
}

/** The rows `index` of `data`, in that order. */
export function selectRows(data: SurvivalData, index: ArrayLike<number>): SurvivalData {
  const m = index.length;
  const x = new Float64Array(m * data.p);
  const time = new Float64Array(m);
  const event = new Uint8Array(m);
  const strata = data.strata ? new Int32Array(m) : undefined;
  for (let k = 0; k < m; k++) {
    const i = index[k];
    x.set(data.x.subarray(i * data.p, (i + 1) * data.p), k * data.p);
    time[k] = data.time[i];
    event[k] = data.event[i];
    if (strata) strata[k] = data.strata![i];
  }
  return { x, n: m, p: data.p, time, event, strata };
}

/** The covariates as one array per column (what the statistics module's coxph takes). */
export function covariateColumns(data: SurvivalData): Float64Array[] {
  return Array.from({ length: data.p }, (_, j) => Float64Array.from({ length: data.n }, (_, i) => data.x[i * data.p + j]));
}

export function countEvents(event: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < event.length; i++) if (event[i]) d++;
  return d;
}
