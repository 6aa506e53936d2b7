/**
 * Covariate standardisation, fitted on the training rows and stored with the model, so that a model
 * applied later scales new rows exactly as it scaled its training data.
 */
export interface Standardization {
  mean: number[];
  sd: number[];
}

/** Column means and standard deviations (n - 1 denominator); a constant column gets sd 1. */
export function fitStandardization(x: Float64Array, n: number, p: number): Standardization {
  const mean = new Array<number>(p).fill(0);
  const sd = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += x[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const d = x[i * p + j] - mean[j];
      sd[j] += d * d;
    }
  }
  for (let j = 0; j < p; j++) {
    const s = n > 1 ? Math.sqrt(sd[j] / (n - 1)) : 0;
    sd[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
  }
  return { mean, sd };
}

export function applyStandardization(x: Float64Array, n: number, p: number, s: Standardization): Float64Array {
  if (s.mean.length !== p) throw new RangeError(`standardisation has ${s.mean.length} columns, data has ${p}`);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) out[i * p + j] = (x[i * p + j] - s.mean[j]) / s.sd[j];
  return out;
}
