/**
 * The Cox partial likelihood as a loss for networks: the negative log partial likelihood of a risk
 * score (log hazard ratio) tensor, differentiable through the engine's autograd.
 *
 * Rows are sorted by descending time, so that the risk set of an event time (everyone still under
 * observation) is a prefix of the order; log-sum-exp over those prefixes is one logcumsumexp, which
 * stays finite for any scores. Tied event times are handled as R's survival::coxph does:
 *   Breslow: each of the d events at time t is divided by the whole risk set R,
 *   Efron:   the l-th (l = 0..d-1) by R - (l/d) D, where D is the tied events' own sum.
 * Efron's term is computed as log R + log1p(-(l/d) q) with q = D/R taken from a second logcumsumexp
 * over the events alone, so nothing large is ever subtracted. Strata get separate risk sets. A batch
 * without events gives a zero loss that is still attached to the graph (its gradient is zero, not NaN).
 *
 * The index bookkeeping (sort order, tie groups) depends only on times and events, so it is computed
 * once per batch in plain TypeScript (`planCoxLoss`) and reused for every step that sees that batch.
 */
import { tensor, type Tensor } from '../torch/index.js';

export type Ties = 'efron' | 'breslow';

export interface CoxLossOptions {
  ties?: Ties;
  /** 'sum' gives minus the log partial likelihood; 'mean' divides it by the number of events. */
  reduction?: 'sum' | 'mean';
}

/** Index arrays for one stratum (see the file comment). */
interface StratumPlan {
  /** Rows of the stratum, by descending time. */
  order: number[];
  /** Event rows of the stratum, by descending time (same relative order as `order`). */
  eventRows: number[];
  /** Per tie group of events: last position in `order` with that time (the risk set's end). */
  groupEnd: number[];
  /** Per tie group: position in `eventRows` of its last event, and of the last event before it. */
  eventEnd: number[];
  eventPrev: number[];
  hasPrev: number[];
  /** Per event (one Efron term each): its tie group and l/d. */
  termGroup: number[];
  termFraction: number[];
  tied: boolean;
}

export interface CoxLossPlan {
  n: number;
  events: number;
  strata: StratumPlan[];
}

export function planCoxLoss(time: ArrayLike<number>, event: ArrayLike<number>, strata?: ArrayLike<number>): CoxLossPlan {
  const n = time.length;
  if (event.length !== n) throw new RangeError(`time has ${n} rows but event has ${event.length}`);
  if (strata && strata.length !== n) throw new RangeError(`time has ${n} rows but strata has ${strata.length}`);
  const byStratum = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i])) throw new RangeError(`time of row ${i} is not finite`);
    const s = strata ? strata[i] : 0;
    let rows = byStratum.get(s);
    if (!rows) byStratum.set(s, (rows = []));
    rows.push(i);
  }
  let events = 0;
  const plans: StratumPlan[] = [];
  for (const s of [...byStratum.keys()].sort((a, b) => a - b)) {
    const rows = byStratum.get(s)!.sort((a, b) => time[b] - time[a] || a - b);
    const plan: StratumPlan = { order: rows.slice(), eventRows: [], groupEnd: [], eventEnd: [], eventPrev: [], hasPrev: [], termGroup: [], termFraction: [], tied: false };
    let k = 0;
    while (k < rows.length) {
      const t = time[rows[k]];
      let j = k;
      let d = 0;
      for (; j < rows.length && time[rows[j]] === t; j++) {
        if (event[rows[j]]) {
          plan.eventRows.push(rows[j]);
          d++;
        }
      }
      if (d > 0) {
        const g = plan.groupEnd.length;
        const end = plan.eventRows.length - 1;
        plan.groupEnd.push(j - 1);
        plan.eventEnd.push(end);
        plan.eventPrev.push(Math.max(0, end - d));
        plan.hasPrev.push(end - d >= 0 ? 1 : 0);
        for (let l = 0; l < d; l++) {
          plan.termGroup.push(g);
          plan.termFraction.push(l / d);
        }
        if (d > 1) plan.tied = true;
        events += d;
      }
      k = j;
    }
    if (plan.eventRows.length > 0) plans.push(plan);
  }
  return { n, events, strata: plans };
}

const long = (v: number[]): Tensor => tensor(Int32Array.from(v), [v.length], { dtype: 'int64' });
const double = (v: number[]): Tensor => tensor(Float64Array.from(v), [v.length], { dtype: 'float64' });

/** Minus the log partial likelihood of `risk` ([n] or [n, 1]) for the rows that `plan` describes. */
export function coxLossFromPlan(risk: Tensor, plan: CoxLossPlan, options: CoxLossOptions = {}): Tensor {
  const ties = options.ties ?? 'efron';
  const count = risk.shape.reduce((a, b) => a * b, 1);
  if (count !== plan.n) throw new RangeError(`risk has ${count} values but the loss plan has ${plan.n} rows`);
  const eta = risk.reshape([plan.n]).double();
  if (plan.events === 0) return eta.sum().mul(0).add(0); // + 0 turns a -0 into 0
  let total: Tensor | null = null;
  for (const s of plan.strata) {
    const logRiskSet = eta.indexSelect(0, long(s.order)).logcumsumexp(0).indexSelect(0, long(s.groupEnd));
    const termGroup = long(s.termGroup);
    let denominators = logRiskSet.indexSelect(0, termGroup);
    const eventEta = eta.indexSelect(0, long(s.eventRows));
    if (ties === 'efron' && s.tied) {
      const cumulative = eventEta.logcumsumexp(0);
      const upTo = cumulative.indexSelect(0, long(s.eventEnd)).sub(logRiskSet).exp();
      const before = cumulative.indexSelect(0, long(s.eventPrev)).sub(logRiskSet).exp().mul(double(s.hasPrev));
      const tiedShare = upTo.sub(before); // D / R per tie group
      const correction = tiedShare.indexSelect(0, termGroup).mul(double(s.termFraction)).neg().log1p();
      denominators = denominators.add(correction);
    }
    const part = denominators.sum().sub(eventEta.sum());
    total = total === null ? part : total.add(part);
  }
  return options.reduction === 'mean' ? total!.div(plan.events) : total!;
}

/** Convenience: plan and loss in one call (plan once yourself when the same batch recurs). */
export function coxLoss(
  risk: Tensor,
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  options: CoxLossOptions & { strata?: ArrayLike<number> } = {},
): Tensor {
  return coxLossFromPlan(risk, planCoxLoss(time, event, options.strata), options);
}
