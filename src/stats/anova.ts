/**
 * One-way analysis of variance across k groups (R's oneway.test(var.equal = TRUE), the same F test as
 * anova(lm(y ~ group))): between-group over within-group mean squares on (k - 1, n - k) df.
 */
import { InputError } from '../util/errors.js';
import { fUpper } from './distributions.js';

export interface AnovaResult {
  statistic: number;
  df1: number;
  df2: number;
  p: number;
}

export function oneWayAnova(groups: ArrayLike<number>[]): AnovaResult {
  const used = groups.filter((g) => g.length > 0);
  const k = used.length;
  let n = 0;
  let total = 0;
  for (const g of used) for (let i = 0; i < g.length; i++) {
    n++;
    total += g[i];
  }
  if (k < 2 || n - k < 1) throw new InputError(`one-way ANOVA needs at least two non-empty groups and more values than groups (got ${k} groups, ${n} values)`);
  const grand = total / n;
  let between = 0;
  let within = 0;
  for (const g of used) {
    let m = 0;
    for (let i = 0; i < g.length; i++) m += g[i];
    m /= g.length;
    between += g.length * (m - grand) * (m - grand);
    for (let i = 0; i < g.length; i++) within += (g[i] - m) * (g[i] - m);
  }
  const df1 = k - 1;
  const df2 = n - k;
  const statistic = between / df1 / (within / df2);
  return { statistic, df1, df2, p: fUpper(statistic, df1, df2) };
}
