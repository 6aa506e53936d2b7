/**
 * A complete StudyResults built from plain numbers, so the report can be rendered and checked without
 * fitting anything. The numbers are shaped like a small study, not taken from one.
 */
import type { CalibrationFigure, KmFigure, ModelResult, StudyResults, Subgroup, VariantResult } from '../../src/report/results.js';
import { encodePng8, heatmapOverlayPng, resampleHeatmap } from '../../src/imaging/index.js';

function model(method: ModelResult['method'], cm: 1 | 2 | 3 | null, subgroup: Subgroup, c: number): ModelResult {
  const key = `${method}${cm === null ? '' : `_m${cm}`}_${subgroup}`;
  return {
    key,
    method,
    clinical_model: cm,
    subgroup,
    covariates: cm === null ? ['frax_mof'] : ['age', 'sex', 'bmi'].slice(0, cm + 1),
    n: subgroup === 'all' ? 179 : 120,
    events: subgroup === 'all' ? 17 : 12,
    harrell: c,
    harrell_se: 0.04,
    harrell_ci95: [c - 0.08, c + 0.07],
    uno: c - 0.01,
    uno_ci95: [c - 0.1, c + 0.08],
    auc: { '1': c + 0.02, '3': c + 0.01, '5': null },
    brier: { '1': 0.02, '3': 0.05, '5': 0.08 },
    predictions: { file: `predictions/test-${subgroup}.csv`, column: key },
    train_harrell: c + 0.05,
    train_harrell_ci95: [c + 0.02, c + 0.08],
  };
}

function km(modelKey: string, label: string, subgroup: Subgroup): KmFigure {
  const curves = ['Low', 'Middle', 'High'].map((group, g) => {
    const time = [0, 0.8, 1.5, 2.2, 3.1, 4.0, 5.5];
    const surv = time.map((t) => Math.exp(-(0.005 + 0.012 * g) * t));
    return { group, n: 60, events: 2 + 4 * g, time, surv, lower: surv.map((s) => s - 0.04), upper: surv.map((s) => Math.min(1, s + 0.03)) };
  });
  return { model: modelKey, label, subgroup, curves, at_risk: { times: [0, 1, 2, 3, 4, 5, 6], counts: [[60, 55, 48, 40, 30, 18, 6], [60, 54, 47, 38, 29, 17, 5], [60, 52, 44, 35, 25, 14, 4]] }, logrank_p: 0.012 };
}

function calibration(modelKey: string, label: string, subgroup: Subgroup, slope: number): CalibrationFigure {
  const groups = [0.01, 0.03, 0.05, 0.08, 0.14].map((p, i) => ({ predicted: p, observed: p * slope, lower: Math.max(0, p * slope - 0.03), upper: p * slope + 0.04, n: 35 + i }));
  return { model: modelKey, label, subgroup, horizon: 3, groups };
}

export function fixtureResults(): StudyResults {
  const models: ModelResult[] = [];
  for (const subgroup of ['all', 'women'] as const) {
    for (const cm of [1, 2, 3] as const) {
      models.push(model('coxph', cm, subgroup, 0.55 + 0.015 * cm));
      models.push(model('deepsurv', cm, subgroup, 0.56 + 0.012 * cm));
    }
    for (const cm of [1, 2, 3] as const) models.push(model('deepsurv_image', cm, subgroup, 0.6 + 0.01 * cm));
    models.push(model('deepsurv_image_only', null, subgroup, 0.614));
    models.push(model('frax', null, subgroup, 0.547));
  }
  const comparisons = models
    .filter((m) => m.key !== `coxph_m3_${m.subgroup}`)
    .map((m) => ({ subgroup: m.subgroup, model: m.key, reference: `coxph_m3_${m.subgroup}`, difference: m.harrell - 0.595, ci95: [m.harrell - 0.66, m.harrell - 0.53] as [number, number], p: 0.3, method: 'paired bootstrap' }));
  return {
    tool: { name: 'spinesurv', version: '0.1.0' },
    created_by: 'spinesurv study',
    seed: 7,
    settings: { bootstrap: 200, deepsurv: { hidden: [32, 32] } },
    cohort: {
      rows_read: 1600,
      excluded: [{ reason: 'age outside 50 to 75', n: 5 }],
      analysed: 1595,
      train: { n: 1416, events: 103, women: 1068, women_events: 80 },
      test: { n: 179, events: 17, women: 120, women_events: 12 },
      frax_source: 'column frax_mof (percent, divided by 100)',
      time_unit: 'years',
    },
    table1: {
      groups: [{ key: 'train', label: 'Training set', n: 1416 }, { key: 'test', label: 'Test set', n: 179 }],
      rows: [
        { label: 'Age, yr', kind: 'continuous', cells: { train: '60.5 ± 6.2', test: '60.3 ± 5.7' }, values: { train: { mean: 60.5, sd: 6.2, n: 1416 }, test: { mean: 60.3, sd: 5.7, n: 179 } }, p: 0.608, test: 't' },
        { label: 'Female sex', kind: 'binary', cells: { train: '1,068 (75.4)', test: '120 (67.0)' }, values: { train: { count: 1068, percent: 75.4, n: 1416 }, test: { count: 120, percent: 67.0, n: 179 } }, p: 0.02, test: 'chi-square' },
      ],
    },
    test: {
      models,
      comparisons,
      km: [km('coxph_m3_all', 'CoxPH, model 3', 'all'), km('deepsurv_m3_women', 'DeepSurv without images, model 3', 'women')],
      calibration: [calibration('coxph_m3_all', 'CoxPH, model 3', 'all', 1.1), calibration('frax_all', 'FRAX', 'all', 0.6), calibration('coxph_m3_women', 'CoxPH, model 3', 'women', 0.9)],
    },
    variants: VARIANTS.map(variant),
    variant_selection: {
      folds: 5,
      outcome: 'fracture during follow-up (1) or not (0)',
      threshold_rule: "Youden's J on the pooled out-of-fold scores",
      model: 'DeepSurv image only',
      chosen: { variant: 'patches', masks: false },
    },
    landmarks: {
      ap: 0.962, ap50: 0.99, ap75: 0.97, mre_mm: 1.84, sdr_2mm: 0.71, sdr_4mm: 0.95,
      per_vertebra: { L1: { mre_mm: 2.1 }, L2: { mre_mm: 1.7 }, L3: { mre_mm: 1.6 }, L4: { mre_mm: 1.7 }, L5: { mre_mm: 2.1 } },
      evaluation: 'Held-out fold (20%) of the annotated training split: 283 radiographs',
      images: 283,
    },
    galleries: {
      keypoints: {
        selection: 'The 6 radiographs of the held-out fold with the largest mean radial error',
        tiles: Array.from({ length: 6 }, (_, i) => ({
          file: `figures/keypoints/${i + 1}.png`, width: 48, height: 64,
          predicted: [20, 10, 21, 20, 22, 30, 23, 40, 24, 50 + i], truth: [20, 11, 21, 21, 22, 31, 23, 41, 24, 51],
          mre_mm: 1 + i, flags: i === 5 ? ['L5 outside the image'] : [],
        })),
      },
      gradcam: [{
        model: 'deepsurv_image_m3_all', variant: 'patches', selection: '3 test patients who fractured and 3 who did not',
        tiles: Array.from({ length: 6 }, (_, i) => ({ file: `figures/gradcam/${i + 1}.png`, width: 40, height: 40, event: (i < 3 ? 1 : 0) as 0 | 1, time: 1.5 + i, risk_percentile: 95 - 10 * i })),
      }],
    },
    truth: {
      oracle_harrell: 0.71,
      clinical_only_harrell: 0.6,
      all_columns_harrell: 0.64,
      by_subgroup: {
        all: { oracle_harrell: 0.71, clinical_only_harrell: 0.6, all_columns_harrell: 0.64, n: 179, events: 17 },
        women: { oracle_harrell: 0.7, clinical_only_harrell: 0.58, all_columns_harrell: 0.63, n: 120, events: 12 },
      },
      gain_share: [
        { key: 'deepsurv_image_m3_all', subgroup: 'all', share: 0.28, ci95: [-0.1, 0.6], bootstrap_dropped: 0 },
        { key: 'coxph_m3_all', subgroup: 'all', share: -0.05, ci95: [-0.3, 0.2], bootstrap_dropped: 0 },
        { key: 'all_columns_reference_all', subgroup: 'all', share: 0.36, ci95: [0.1, 0.6], bootstrap_dropped: 1 },
      ],
      definitions: { oracle_harrell: 'the true risk', clinical_only_harrell: 'clinical covariates', all_columns_harrell: 'every column' },
    },
    notes: ['A fixture, not a study.'],
  };
}

const VARIANTS: [string, boolean, number][] = [['full-l1l5', false, 0.74], ['full-l1l5', true, 0.72], ['full-l1l4', false, 0.7], ['full-l1l4', true, 0.69], ['patches', false, 0.8], ['patches', true, 0.77]];

function variant([name, masks, auc]: [string, boolean, number]): VariantResult {
  const fpr = [0, 0.1, 0.3, 0.6, 1];
  const tpr = fpr.map((x) => Math.min(1, Math.pow(x, (1 - auc) / auc)));
  return {
    variant: name, masks, auroc: auc, auroc_ci95: [auc - 0.06, auc + 0.05], sensitivity: 0.7, specificity: 0.75, ppv: 0.2, npv: 0.97,
    threshold: 0.1, n: 1416, positives: 102, roc: { fpr, tpr }, chosen: name === 'patches' && !masks,
  };
}

/** The galleries' PNG files, made here: grey ramps, and a heatmap hot in the top-left corner. */
export async function fixtureAssets(): Promise<Map<string, Buffer>> {
  const assets = new Map<string, Buffer>();
  for (let i = 1; i <= 6; i++) {
    const kp = Uint8Array.from({ length: 48 * 64 }, (_, k) => (k % 48) * 5);
    assets.set(`figures/keypoints/${i}.png`, encodePng8(kp, 48, 64));
    const grey = Uint8Array.from({ length: 40 * 40 }, (_, k) => 60 + (Math.floor(k / 40) * 3));
    const cam = Float32Array.from({ length: 4 * 4 }, (_, k) => (k === 0 ? 1 : 0.05 * i));
    assets.set(`figures/gradcam/${i}.png`, heatmapOverlayPng(grey, 40, 40, resampleHeatmap(cam, 4, 4, 40, 40)));
  }
  return assets;
}
