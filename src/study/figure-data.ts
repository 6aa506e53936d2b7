/**
 * The numbers behind the report's Kaplan-Meier and calibration figures, computed on the test split:
 * patients grouped by a model's predicted risk, each group's Kaplan-Meier curve with numbers at risk,
 * and predicted against observed risk at the calibration horizon.
 */
import { calibrationAtHorizon } from '../survival/calibration.js';
import { kaplanMeier } from '../survival/kaplan-meier.js';
import { logRank } from '../survival/log-rank.js';
import type { SurvivalSet } from './design.js';
import type { FittedModel } from './fit-models.js';
import { modelLabel, type CalibrationFigure, type KmFigure } from '../report/results.js';

export const TERTILE_LABELS = ['Low', 'Middle', 'High'];

/**
 * Tertile (0, 1, 2) of each patient's risk: patients are sorted by risk (ties kept in cohort order)
 * and cut into three groups as equal in size as possible.
 */
export function riskTertiles(risk: Float64Array): Int32Array {
  const n = risk.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => risk[a] - risk[b] || a - b);
  const group = new Int32Array(n);
  order.forEach((i, rank) => (group[i] = Math.min(2, Math.floor((3 * rank) / n))));
  return group;
}

export function kmByTertile(model: FittedModel, test: SurvivalSet): KmFigure {
  const tertile = riskTertiles(model.testRisk);
  const maxTime = Math.max(...test.time);
  const ticks = Array.from({ length: Math.floor(maxTime) + 1 }, (_, i) => i);
  const curves: KmFigure['curves'] = [];
  const counts: number[][] = [];
  for (let g = 0; g < 3; g++) {
    const rows = [...tertile.keys()].filter((i) => tertile[i] === g);
    const t = Float64Array.from(rows, (i) => test.time[i]);
    const e = Uint8Array.from(rows, (i) => test.event[i]);
    const km = kaplanMeier(t, e);
    const finite = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);
    curves.push({
      group: TERTILE_LABELS[g],
      n: rows.length,
      events: e.reduce((a, v) => a + v, 0),
      time: [0, ...km.time],
      surv: [1, ...km.surv],
      lower: [1, ...Array.from(km.lower, (v, k) => finite(v, km.surv[k]))],
      upper: [1, ...Array.from(km.upper, (v, k) => finite(v, km.surv[k]))],
    });
    counts.push(km.at(ticks).nRisk);
  }
  let p: number | null = null;
  if (test.event.some((e) => e === 1)) {
    const lr = logRank(test.time, test.event, Array.from(tertile));
    p = Number.isFinite(lr.p) ? lr.p : null;
  }
  return { model: model.key, label: modelLabel({ method: model.method, clinical_model: model.clinicalModel }), subgroup: model.subgroup, curves, at_risk: { times: ticks, counts }, logrank_p: p };
}

export function calibrationFigure(model: FittedModel, test: SurvivalSet, horizon: number, groups: number): CalibrationFigure {
  const s = model.testSurvival(horizon);
  const risk = Float64Array.from(s, (v) => 1 - v);
  const cal = calibrationAtHorizon(test.time, test.event, risk, horizon, Math.min(groups, test.time.length));
  return {
    model: model.key,
    label: modelLabel({ method: model.method, clinical_model: model.clinicalModel }),
    subgroup: model.subgroup,
    horizon,
    groups: cal.groups.map((g) => ({
      predicted: g.predicted,
      observed: g.observed,
      lower: Number.isFinite(g.observedLower) ? g.observedLower : g.observed,
      upper: Number.isFinite(g.observedUpper) ? g.observedUpper : g.observed,
      n: g.n,
    })),
  };
}
