/**
 * The decision curve (Vickers and Elkin): net benefit against the threshold risk at which one would
 * treat, for the models, treat-all and treat-none (0). A model helps where its curve lies above both.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, PALETTE } from './figures.js';

export interface DecisionCurve {
  label: string;
  points: { threshold: number; net_benefit: number }[];
}

export function decisionCurveSpec(curves: DecisionCurve[], title: string): TopLevelSpec {
  const values = curves.flatMap((c) => c.points.map((p) => ({ curve: c.label, ...p })));
  const finite = values.map((v) => v.net_benefit).filter(Number.isFinite);
  // Treat-all falls steeply at high thresholds; the axis stops a little below zero so that the
  // models' curves, which matter, are not squeezed.
  const top = Math.max(0.005, ...finite);
  const bottom = Math.max(-top / 2, Math.min(0, ...finite));
  const labels = curves.map((c) => c.label);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    width: 380,
    height: 260,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'line', clip: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'threshold', type: 'quantitative', title: 'Threshold risk', axis: { format: '%' } },
      y: { field: 'net_benefit', type: 'quantitative', title: 'Net benefit', scale: { domain: [bottom, top], nice: false, clamp: true } },
      color: { field: 'curve', type: 'nominal', scale: { domain: labels, range: [...PALETTE.slice(0, labels.length - 2), '#999999', '#000000'] }, title: null },
      strokeDash: { condition: { test: "datum.curve === 'treat all' || datum.curve === 'treat none'", value: [4, 3] }, value: [1, 0] },
    },
  } as TopLevelSpec;
}
