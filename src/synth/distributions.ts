/** Draws that src/util/random.ts does not offer, built on its uniform and normal draws. */
import type { Random } from '../util/random.js';

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through the boost U^(1/shape). */
export function gamma(rng: Random, shape: number): number {
  if (!(shape > 0)) throw new Error(`gamma: shape must be positive, got ${shape}`);
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.uniform() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function beta(rng: Random, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Index drawn with probability proportional to weights. */
export function weightedIndex(rng: Random, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng.uniform() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Rounds to a fixed number of decimals (for CSV values that look like recorded data). */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
