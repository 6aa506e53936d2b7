/**
 * The report's figures as Vega-Lite specs: a C-index forest plot (the paper's Figures 3 and 4),
 * Kaplan-Meier curves by predicted-risk tertile with numbers at risk below, and a calibration plot.
 * Each builder takes plain numbers, so the figures can be checked without running a study.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CalibrationFigure, KmFigure } from './results.js';

const FONT = 'Helvetica, Arial, sans-serif';
export const BASE_CONFIG = {
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', direction: 'horizontal', labelLimit: 0 },
  view: { stroke: null },
} as const;

/** A palette that stays distinct for colour-blind readers (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export interface ForestRow {
  /** The row's label, e.g. "Model 1 · CoxPH" or "FRAX"; rows are drawn in the order given. */
  row: string;
  /** The method, which sets the colour. */
  group: string;
  c: number;
  lo: number;
  hi: number;
}

export interface ReferenceLine {
  value: number;
  name: string;
}

/** Points with 95% CI whiskers, one row per model, coloured by method; dashed reference lines. */
export function forestSpec(rows: ForestRow[], references: ReferenceLine[], title: string): TopLevelSpec {
  const values = [...rows.map((r) => [r.lo, r.hi, r.c]).flat(), ...references.map((r) => r.value), 0.5].filter(Number.isFinite);
  const lo = Math.floor(Math.min(...values) * 20) / 20;
  const hi = Math.ceil(Math.max(...values) * 20) / 20;
  const order = [...new Set(rows.map((r) => r.row))];
  const groups = [...new Set(rows.map((r) => r.group))];
  const color = { field: 'group', type: 'nominal' as const, scale: { domain: groups, range: PALETTE }, title: null };
  const y = { field: 'row', type: 'nominal' as const, sort: order, title: null, axis: { labelFontSize: 11, labelPadding: 6, labelLimit: 0 } };
  const referenceLabels = references.map((r, i) => ({ ...r, dy: -2 - 11 * i }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13, offset: 8 + 11 * references.length },
    width: 440,
    height: { step: 22 },
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: references },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#777' },
        encoding: { x: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: referenceLabels },
        mark: { type: 'text', align: 'center', fontSize: 10, color: '#555', baseline: 'bottom' },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          y: { value: 0 },
          yOffset: { field: 'dy', type: 'quantitative', scale: null },
          text: { field: 'name' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: { field: 'lo', type: 'quantitative', scale: { domain: [lo, hi], zero: false }, title: "Harrell's C-index (95% CI)" },
          x2: { field: 'hi' },
          color,
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60, shape: 'square', opacity: 1 },
        encoding: {
          y,
          x: { field: 'c', type: 'quantitative' },
          color,
          tooltip: [{ field: 'group' }, { field: 'row' }, { field: 'c', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** Step curves with a shaded 95% band, and a numbers-at-risk table sharing the time axis. */
export function kmSpec(figure: KmFigure, title: string): TopLevelSpec {
  const points: { group: string; time: number; surv: number; lower: number; upper: number }[] = [];
  for (const c of figure.curves) {
    for (let i = 0; i < c.time.length; i++) {
      points.push({ group: c.group, time: c.time[i], surv: c.surv[i], lower: c.lower[i], upper: c.upper[i] });
    }
  }
  const groups = figure.curves.map((c) => c.group);
  const tMax = Math.max(...figure.at_risk.times, ...points.map((p) => p.time));
  const minSurv = Math.min(...points.map((p) => p.lower).filter(Number.isFinite), 1);
  const yLow = Math.max(0, Math.floor(minSurv * 10) / 10 - 0.05);
  const atRisk = figure.at_risk.times.flatMap((t, j) => groups.map((g, k) => ({ group: g, time: t, n: figure.at_risk.counts[k][j] })));
  const color = { field: 'group', type: 'nominal', scale: { domain: groups, range: PALETTE }, title: 'Predicted risk' } as const;
  const x = { field: 'time', type: 'quantitative' as const, scale: { domain: [0, tMax], nice: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    config: BASE_CONFIG,
    spacing: 6,
    vconcat: [
      {
        width: 420,
        height: 240,
        data: { values: points },
        layer: [
          {
            mark: { type: 'area', interpolate: 'step-after', opacity: 0.15 },
            encoding: {
              x: { ...x, title: null },
              y: { field: 'lower', type: 'quantitative', scale: { domain: [yLow, 1] }, title: 'Fracture-free survival' },
              y2: { field: 'upper' },
              color,
            },
          },
          {
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
            encoding: {
              x: { ...x, title: null },
              y: { field: 'surv', type: 'quantitative' },
              color,
            },
          },
        ],
      },
      {
        width: 420,
        height: 18 * groups.length,
        title: { text: 'Number at risk', fontSize: 11, anchor: 'start', fontWeight: 'normal' },
        data: { values: atRisk },
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x: { ...x, title: 'Years since baseline radiograph', axis: { grid: false } },
          y: { field: 'group', type: 'nominal', sort: groups, title: null, axis: { grid: false, domain: false, ticks: false, labelPadding: 18 } },
          text: { field: 'n', type: 'quantitative' },
          color,
        },
      },
    ],
  } as TopLevelSpec;
}

/** Predicted vs observed (1 - Kaplan-Meier) risk at the horizon by risk group; the diagonal is perfect. */
export function calibrationSpec(figures: CalibrationFigure[], title: string): TopLevelSpec {
  const points = figures.flatMap((f) => f.groups.map((g) => ({ model: f.label, ...g })));
  const models = figures.map((f) => f.label);
  // The axes cover the points with some room; long upper whiskers of small groups are clipped
  // rather than squeezing every point into a corner.
  const top = Math.min(1, Math.ceil(1.25 * Math.max(0.04, ...points.flatMap((p) => [p.predicted, p.observed]).filter(Number.isFinite)) * 50) / 50);
  const color = { field: 'model', type: 'nominal', scale: { domain: models, range: PALETTE }, title: null } as const;
  const axisScale = { domain: [0, top], nice: false, clamp: true };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    width: 320,
    height: 320,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: top, y: top }] },
        mark: { type: 'line', strokeDash: [4, 3], color: '#777' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: axisScale, title: 'Predicted risk' },
          y: { field: 'y', type: 'quantitative', scale: axisScale, title: 'Observed risk (1 − Kaplan-Meier)' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'rule', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'lower', type: 'quantitative' },
          y2: { field: 'upper' },
          color,
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 1, opacity: 0.6, point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'observed', type: 'quantitative' },
          color,
          tooltip: [{ field: 'model' }, { field: 'predicted', format: '.3f' }, { field: 'observed', format: '.3f' }, { field: 'n' }],
        },
      },
    ],
  } as TopLevelSpec;
}

export interface RocCurveInput {
  /** The legend name, e.g. "L1–L5 patches, no masks (AUROC 0.80)". */
  name: string;
  fpr: number[];
  tpr: number[];
}

/** ROC curves of the variants (the paper's Table 2 as a figure), with the chance diagonal. */
export function rocSpec(curves: RocCurveInput[], title: string): TopLevelSpec {
  const points = curves.flatMap((c) => c.fpr.map((x, i) => ({ name: c.name, fpr: x, tpr: c.tpr[i], order: i })));
  const names = curves.map((c) => c.name);
  const axis = { domain: [0, 1], nice: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    width: 320,
    height: 320,
    config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'right', direction: 'vertical' } },
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', strokeDash: [4, 3], color: '#777' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: axis, title: '1 − specificity' },
          y: { field: 'y', type: 'quantitative', scale: axis, title: 'Sensitivity' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative' },
          y: { field: 'tpr', type: 'quantitative' },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'name', type: 'nominal', scale: { domain: names, range: PALETTE }, title: null },
        },
      },
    ],
  } as TopLevelSpec;
}
