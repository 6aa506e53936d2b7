/**
 * Checks on survival inputs shared by every estimator. Messages name the variable and the row
 * (0-based index into the arrays); the CLI checks CSV columns first so that users see file lines.
 */
import { InputError } from '../util/errors.js';

export type NumericArray = Float64Array | Float32Array | Int32Array | Uint8Array | number[];

export interface SurvivalArrays {
  time: Float64Array;
  /** 0/1 */
  event: Uint8Array;
}

/** Validates time (finite, >= 0) and event (exactly 0 or 1) and returns typed copies. */
export function checkSurvival(time: ArrayLike<number>, event: ArrayLike<number>, names = { time: 'time', event: 'event' }): SurvivalArrays {
  const n = time.length;
  if (event.length !== n) {
    throw new InputError(`${names.event} has ${event.length} values but ${names.time} has ${n}`);
  }
  if (n === 0) throw new InputError('no observations');
  const t = new Float64Array(n);
  const e = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const ti = time[i];
    if (!Number.isFinite(ti)) throw new InputError(`${names.time}, row ${i}: missing or non-finite time (${ti})`);
    if (ti < 0) throw new InputError(`${names.time}, row ${i}: negative time (${ti})`);
    const ei = event[i];
    if (ei !== 0 && ei !== 1) throw new InputError(`${names.event}, row ${i}: event must be 0 or 1, got ${ei}`);
    t[i] = ti;
    e[i] = ei;
  }
  return { time: t, event: e };
}

/** Validates a numeric vector of length n (finite values). */
export function checkFinite(values: ArrayLike<number>, n: number, name: string): Float64Array {
  if (values.length !== n) throw new InputError(`${name} has ${values.length} values, expected ${n}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InputError(`${name}, row ${i}: missing or non-finite value (${v})`);
    out[i] = v;
  }
  return out;
}

/** Case weights: finite and >= 0, default all 1. */
export function checkWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array {
  if (weights === undefined) return new Float64Array(n).fill(1);
  const w = checkFinite(weights, n, 'weights');
  for (let i = 0; i < n; i++) if (w[i] < 0) throw new InputError(`weights, row ${i}: negative weight (${w[i]})`);
  return w;
}

/** Strata labels -> dense integer codes 0..k-1 in order of first appearance, plus the labels. */
export function strataCodes(strata: ArrayLike<number | string> | undefined, n: number): { codes: Int32Array; levels: string[] } {
  const codes = new Int32Array(n);
  if (strata === undefined) return { codes, levels: ['all'] };
  if (strata.length !== n) throw new InputError(`strata has ${strata.length} values, expected ${n}`);
  const map = new Map<string, number>();
  const levels: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = String(strata[i]);
    let c = map.get(key);
    if (c === undefined) {
      c = levels.length;
      map.set(key, c);
      levels.push(key);
    }
    codes[i] = c;
  }
  return { codes, levels };
}
