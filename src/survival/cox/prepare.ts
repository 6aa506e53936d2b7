/**
 * Puts Cox data in the shape the risk-set loop wants: rows sorted by stratum then ascending time,
 * covariates centred (weighted mean) and scaled (by the weighted mean absolute deviation) as
 * survival::coxph does for numerical stability. 0/1 columns are left uncentred and unscaled, also as R.
 * Newton-Raphson is affine invariant, so these transforms change rounding only, not the answer.
 */
import { InputError } from '../../util/errors.js';
import { denseRanks, orderByKeys, type DenseRanks } from '../order.js';

export interface CoxData {
  n: number;
  p: number;
  /** Sorted by stratum, then time ascending. */
  time: Float64Array;
  status: Uint8Array;
  weight: Float64Array;
  offset: Float64Array;
  /** Column-wise, centred and scaled, in sorted order. */
  x: Float64Array[];
  /** 1 where the row is the last of its stratum (in ascending order). */
  stratumEnd: Uint8Array;
  /** Stratum code of each sorted row. */
  stratum: Int32Array;
  /** order[k] = original row index of sorted row k. */
  order: Int32Array;
  means: Float64Array;
  scale: Float64Array;
}

export function prepareCoxData(
  time: Float64Array,
  status: Uint8Array,
  covariates: Float64Array[],
  weight: Float64Array,
  strata: Int32Array,
  nStrata: number,
  names: string[],
  offset?: Float64Array,
  /** Dense ranks of time, when the caller has them already. */
  ranks?: DenseRanks,
): CoxData {
  const n = time.length;
  const p = covariates.length;
  const timeRank = ranks ?? denseRanks(time);
  // The time argsort is stable and ascending, so only the strata key is left to sort by.
  const order = orderByKeys(n, [{ keys: strata, size: nStrata }], timeRank.order);
  const sTime = new Float64Array(n);
  const sStatus = new Uint8Array(n);
  const sWeight = new Float64Array(n);
  const sOffset = new Float64Array(n);
  const sStratum = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = order[k];
    sTime[k] = time[r];
    sStatus[k] = status[r];
    sWeight[k] = weight[r];
    sOffset[k] = offset ? offset[r] : 0;
    sStratum[k] = strata[r];
  }
  const stratumEnd = new Uint8Array(n);
  for (let k = 0; k < n; k++) stratumEnd[k] = k === n - 1 || sStratum[k + 1] !== sStratum[k] ? 1 : 0;

  let totalWeight = 0;
  for (let k = 0; k < n; k++) totalWeight += sWeight[k];
  const means = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  const x: Float64Array[] = [];
  for (let j = 0; j < p; j++) {
    const col = covariates[j];
    const s = new Float64Array(n);
    let binary = true;
    let first = NaN;
    let constant = true;
    for (let k = 0; k < n; k++) {
      const v = col[order[k]];
      s[k] = v;
      if (v !== 0 && v !== 1) binary = false;
      if (k === 0) first = v;
      else if (v !== first) constant = false;
    }
    if (constant) throw new InputError(`covariate "${names[j]}" is constant (${first}) in the data used: it cannot be estimated`);
    if (!binary) {
      let m = 0;
      for (let k = 0; k < n; k++) m += sWeight[k] * s[k];
      m /= totalWeight;
      let mad = 0;
      for (let k = 0; k < n; k++) {
        s[k] -= m;
        mad += sWeight[k] * Math.abs(s[k]);
      }
      const sc = mad > 0 ? totalWeight / mad : 1;
      for (let k = 0; k < n; k++) s[k] *= sc;
      means[j] = m;
      scale[j] = sc;
    }
    x.push(s);
  }
  return { n, p, time: sTime, status: sStatus, weight: sWeight, offset: sOffset, x, stratumEnd, stratum: sStratum, order, means, scale };
}
