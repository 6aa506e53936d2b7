/**
 * The clinical fallback's rival model (network.ts, train.ts): the Cox coefficients of the standardised
 * covariates fitted on the rows the network trains on (never its validation rows, so that the
 * validation comparison of the two is an honest one). A column that is constant on those rows
 * (sex in the women subgroup) gets 0: the partial likelihood has no information on it.
 */
import { coxph } from '../../survival/index.js';
import type { Ties } from '../cox-loss.js';

export function clinicalCoxCoefficients(
  clinical: Float64Array,
  p: number,
  time: Float64Array,
  event: Uint8Array,
  rows: Int32Array,
  ties: Ties,
): number[] {
  const beta = new Array<number>(p).fill(0);
  const columns: Float64Array[] = [];
  const used: number[] = [];
  for (let j = 0; j < p; j++) {
    const column = Float64Array.from(rows, (i) => clinical[i * p + j]);
    if (column.some((v) => v !== column[0])) {
      columns.push(column);
      used.push(j);
    }
  }
  if (used.length === 0) return beta;
  const fit = coxph({
    time: Float64Array.from(rows, (i) => time[i]),
    event: Uint8Array.from(rows, (i) => event[i]),
    covariates: columns,
    ties,
    concordance: false,
  });
  used.forEach((j, k) => (beta[j] = Number.isFinite(fit.coef[k]) ? fit.coef[k] : 0));
  return beta;
}
