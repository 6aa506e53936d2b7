/**
 * OUT/report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) that a
 * clinician can read top to bottom: who was studied, Table 1, how well each model ranks patients
 * (forest plots and a table), the paired comparisons, Kaplan-Meier curves by predicted-risk tertile and
 * calibration. It is drawn from results.json alone and holds no patient identifier.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ModelResult, StudyResults, Subgroup } from './results.js';
import { modelLabel, METHOD_LABELS } from './results.js';
import { calibrationSpec, forestSpec, kmSpec, rocSpec, type ForestRow, type ReferenceLine } from './figures.js';
import { gradcamGallerySvg, keypointGallerySvg, type AssetReader } from './gallery.js';
import { count, escapeHtml, fixed, pValue, withCi } from './format.js';
import { renderSvg } from './svg.js';

export const SUBGROUP_LABELS: Record<Subgroup, string> = { all: 'All patients', women: 'Women' };

export const STYLE = `
  body { font-family: Helvetica, Arial, sans-serif; color: #1a1a1a; max-width: 1060px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
  h3 { font-size: 1.05em; margin-top: 1.4em; }
  table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
  th, td { padding: 0.3em 0.7em; text-align: right; border-bottom: 1px solid #e3e3e3; }
  th:first-child, td:first-child { text-align: left; }
  thead th { border-bottom: 2px solid #555; }
  caption { caption-side: bottom; text-align: left; font-size: 0.85em; color: #555; padding-top: 0.4em; }
  .lead { font-size: 1.05em; background: #f4f7fb; border-left: 4px solid #0072B2; padding: 0.6em 1em; }
  .flow { display: flex; align-items: stretch; gap: 0.6em; flex-wrap: wrap; margin: 1em 0; }
  .box { border: 1px solid #888; border-radius: 4px; padding: 0.5em 0.8em; min-width: 9em; background: #fafafa; }
  .box b { display: block; font-size: 1.2em; }
  .arrow { align-self: center; font-size: 1.4em; color: #777; }
  figure { margin: 1em 0; display: inline-block; vertical-align: top; }
  figcaption { font-size: 0.85em; color: #444; max-width: 460px; }
  .note { font-size: 0.88em; color: #444; }
  .sig { font-weight: bold; }
`;

export interface Figure {
  id: string;
  spec: TopLevelSpec;
  caption: string;
}

export interface RenderOptions {
  /** Reads the galleries' PNG files (paths relative to OUT); without it a results.json with galleries cannot be drawn. */
  readAsset?: AssetReader;
}

export async function renderReport(results: StudyResults, options: RenderOptions = {}): Promise<string> {
  const parts: string[] = [];
  const subgroups = [...new Set(results.test.models.map((m) => m.subgroup))];

  parts.push(`<h1>Incident vertebral fracture: survival models on the test split</h1>`);
  parts.push(`<p class="note">spinesurv ${escapeHtml(results.tool.version)} · seed ${results.seed} · ` +
    `${results.settings.bootstrap as number} bootstrap resamples · follow-up in years</p>`);
  parts.push(headline(results));
  parts.push(cohortFlow(results));
  parts.push(table1(results));
  if (results.landmarks) parts.push(landmarksSection(results, options));
  if (results.variants.length > 0) parts.push(await variantsSection(results));

  parts.push(`<h2>Discrimination on the test split</h2>`);
  parts.push(`<p>Harrell's C-index is the probability that, of two comparable patients, the one who fractured first ` +
    `had the higher predicted risk (0.5 = chance, 1 = perfect). Intervals are 95% percentile bootstrap intervals over ` +
    `test patients. Models were fitted on the training split only.</p>`);
  for (const s of subgroups) {
    const models = results.test.models.filter((m) => m.subgroup === s);
    parts.push(`<h3>${SUBGROUP_LABELS[s]}</h3>`);
    parts.push(await figureHtml(forestFigure(results, s, models)));
    parts.push(modelsTable(models));
  }

  if (results.truth) parts.push(truthSection(results));
  parts.push(comparisonsTable(results));

  parts.push(`<h2>Kaplan-Meier curves by predicted-risk tertile</h2>`);
  parts.push(`<p>Test patients are split into thirds by the model's predicted risk; well-separated curves mean the ` +
    `model sorts patients into groups with different fracture-free survival. Shaded bands are 95% confidence intervals.</p>`);
  for (const km of results.test.km) {
    parts.push(await figureHtml({
      id: `km-${km.model}`,
      spec: kmSpec(km, `${km.label} — ${SUBGROUP_LABELS[km.subgroup]}`),
      caption: `Test split, ${SUBGROUP_LABELS[km.subgroup].toLowerCase()}: fracture-free survival by tertile of predicted risk ` +
        `from ${escapeHtml(km.label)}${km.logrank_p === null ? '' : ` (log-rank ${pEquals(km.logrank_p)})`}.`,
    }));
  }

  const horizons = [...new Set(results.test.calibration.map((c) => c.horizon))];
  parts.push(`<h2>Calibration</h2>`);
  parts.push(`<p>Each point is a group of test patients with similar predicted risk: its predicted probability of a ` +
    `fracture by ${horizons.map((h) => `${h} years`).join(', ')} against the observed proportion (1 − Kaplan-Meier). ` +
    `Points on the dashed diagonal mean predicted and observed risks agree. Bars are 95% confidence intervals.</p>`);
  for (const s of subgroups) {
    const figs = results.test.calibration.filter((c) => c.subgroup === s);
    if (figs.length === 0) continue;
    parts.push(await figureHtml({
      id: `calibration-${s}`,
      spec: calibrationSpec(figs, `Calibration at ${figs[0].horizon} years — ${SUBGROUP_LABELS[s]}`),
      caption: `Test split, ${SUBGROUP_LABELS[s].toLowerCase()}, ${figs[0].groups.length} groups by predicted risk.`,
    }));
  }

  for (const g of results.galleries?.gradcam ?? []) parts.push(gradcamSection(g, options));

  parts.push(methods(results));

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>spinesurv study report</title>
<style>${STYLE}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

/** "p = 0.012" or "p < 0.001". */
function pEquals(p: number): string {
  const text = pValue(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

export async function figureHtml(f: Figure): Promise<string> {
  const svg = await renderSvg(f.spec, f.id);
  return `<figure id="${escapeHtml(f.id)}" class="figure">${svg}<figcaption>${f.caption}</figcaption></figure>`;
}

function forestFigure(results: StudyResults, s: Subgroup, models: ModelResult[]): Figure {
  // Grouped as the paper's Figure 4A: by clinical model, methods side by side, FRAX last.
  const sorted = [...models].sort((a, b) => (a.clinical_model ?? 9) - (b.clinical_model ?? 9));
  const rows: ForestRow[] = sorted.map((m) => ({
    row: m.clinical_model === null ? METHOD_LABELS[m.method] : `Model ${m.clinical_model} · ${METHOD_LABELS[m.method]}`,
    group: METHOD_LABELS[m.method],
    c: m.harrell,
    lo: m.harrell_ci95[0],
    hi: m.harrell_ci95[1],
  }));
  const references: ReferenceLine[] = [{ value: 0.5, name: 'chance' }];
  const truth = results.truth?.by_subgroup?.[s];
  if (truth) {
    references.push({ value: truth.oracle_harrell, name: 'true risk' });
    references.push({ value: truth.all_columns_harrell, name: 'best, every CSV column' });
    references.push({ value: truth.clinical_only_harrell, name: 'best, clinical covariates' });
  }
  return {
    id: `forest-${s}`,
    spec: forestSpec(rows, references, `C-index on the test split — ${SUBGROUP_LABELS[s]}`),
    caption: `Harrell's C with 95% bootstrap CI for each model (as the paper's Figure 4).` +
      (truth
        ? ` Dashed lines: chance (0.5) and, for this synthetic cohort, the C-index on these test patients of the true risk, of the best ` +
          `score from every CSV column (bmd_tscore and frax_mof included) and of the best score from the study's clinical covariates.`
        : ` Dashed line: chance (0.5).`),
  };
}

function headline(results: StudyResults): string {
  const t = results.cohort.test;
  const all = results.test.models.filter((m) => m.subgroup === 'all');
  const pick = (method: string, cm: number | null) => all.find((m) => m.method === method && m.clinical_model === cm);
  const items = [pick('deepsurv_image', 3), pick('deepsurv_image_only', null), pick('coxph', 3), pick('deepsurv', 3), pick('frax', null)]
    .filter((m): m is ModelResult => m !== undefined);
  const list = items.map((m) => `${escapeHtml(modelLabel(m))} ${withCi(m.harrell, m.harrell_ci95)}`).join('; ');
  const tr = results.truth;
  const truth = tr
    ? ` For reference, on these test patients of the synthetic cohort the true risk reaches ${fixed(tr.oracle_harrell)}, the best score from ` +
      `the study's clinical covariates ${fixed(tr.clinical_only_harrell)}, and the best score from every CSV column ${fixed(tr.all_columns_harrell)} ` +
      `(the CSV's bmd_tscore is a noisy reading of the bone density the image shows, so a model without the image but with that column can pass the clinical line).`
    : '';
  return `<p class="lead">Test split: ${count(t.n)} patients, ${count(t.events)} incident vertebral fractures. ` +
    `Harrell's C-index (95% CI): ${list}.${truth}</p>`;
}

/** The three reference lines per subgroup, and each model's share of the oracle's gain over the clinical line. */
function truthSection(results: StudyResults): string {
  const tr = results.truth!;
  const lineRows = (Object.entries(tr.by_subgroup) as [Subgroup, NonNullable<typeof tr.by_subgroup.all>][])
    .map(([s, l]) => `<tr><td>${SUBGROUP_LABELS[s]}</td><td>${count(l.n)} (${count(l.events)})</td><td>${fixed(l.oracle_harrell)}</td>` +
      `<td>${fixed(l.all_columns_harrell)}</td><td>${fixed(l.clinical_only_harrell)}</td></tr>`)
    .join('\n');
  const byKey = new Map(results.test.models.map((m) => [m.key, m]));
  const order = (key: string) => {
    const m = byKey.get(key);
    return m === undefined ? 1 : m.method === 'deepsurv_image' || m.method === 'deepsurv_image_only' ? 0 : 2;
  };
  const shares = [...tr.gain_share].sort((a, b) => order(a.key) - order(b.key));
  const shareRows = shares
    .map((g) => {
      const m = byKey.get(g.key);
      const name = m ? modelLabel(m) : 'Best score from every CSV column (reference)';
      const image = m && (m.method === 'deepsurv_image' || m.method === 'deepsurv_image_only');
      return `<tr${image ? ' class="sig"' : ''}><td>${SUBGROUP_LABELS[g.subgroup]}</td><td>${escapeHtml(name)}</td><td>${withCi(100 * g.share, [100 * g.ci95[0], 100 * g.ci95[1]], 0)}</td></tr>`;
    })
    .join('\n');
  return `<h2>How much of the image signal was recovered (synthetic cohort)</h2>
<p>The generator knows every patient's true risk, so three reference lines can be drawn on exactly the test patients analysed:
the <b>oracle</b> (${escapeHtml(tr.definitions.oracle_harrell ?? 'the true risk')}); the <b>best score from every CSV column</b>
(${escapeHtml(tr.definitions.all_columns_harrell ?? '')}); and the <b>best score from the study's clinical covariates</b>
(${escapeHtml(tr.definitions.clinical_only_harrell ?? '')}). The clinical line is the ceiling for CoxPH and DeepSurv on the clinical
covariates; it is <i>not</i> a ceiling for every model without the image, because bmd_tscore (and FRAX built on it) reads the same bone
density the radiograph shows.</p>
<table id="reference-lines"><thead><tr><th>Subgroup</th><th>Test n (events)</th><th>Oracle C</th><th>Best, every CSV column</th><th>Best, clinical covariates</th></tr></thead>
<tbody>${lineRows}</tbody></table>
<table id="gain-share"><thead><tr><th>Subgroup</th><th>Model</th><th>Share of the oracle's gain over the clinical line, % (95% CI)</th></tr></thead>
<tbody>${shareRows}</tbody>
<caption>Share = (C(model) − C(clinical line)) / (C(oracle) − C(clinical line)) on the same test patients: 0% is no better than the best
use of the clinical covariates, 100% reaches the true risk, negative is worse than the clinical line. Percentile bootstrap over test
patients, the three C-indices recomputed on each resample. Bold: image models.</caption></table>`;
}

function landmarksSection(results: StudyResults, options: RenderOptions): string {
  const l = results.landmarks!;
  const vertebrae = Object.entries(l.per_vertebra ?? {});
  const head = `<th>Images</th><th>AP</th><th>AP50</th><th>AP75</th><th>MRE, mm</th><th>SDR 2 mm</th><th>SDR 4 mm</th>` +
    vertebrae.map(([v]) => `<th>MRE ${escapeHtml(v)}, mm</th>`).join('');
  const pct = (v: number | undefined) => (v === undefined ? '—' : `${fixed(100 * v, 1)}%`);
  const row = `<td>${count(l.images)}</td><td>${fixed(l.ap)}</td><td>${fixed(l.ap50)}</td><td>${fixed(l.ap75)}</td><td>${fixed(l.mre_mm, 2)}</td>` +
    `<td>${pct(l.sdr_2mm)}</td><td>${pct(l.sdr_4mm)}</td>` + vertebrae.map(([, v]) => `<td>${fixed(v.mre_mm, 2)}</td>`).join('');
  const parts = [`<h2>Keypoints: L1–L5 detector</h2>
<table id="landmarks"><thead><tr>${head}</tr></thead><tbody><tr>${row}</tr></tbody>
<caption>${escapeHtml(l.evaluation)}. AP: COCO object keypoint similarity average precision over thresholds 0.50 to 0.95 (the paper
reports 0.971); MRE: mean radial error; SDR: share of keypoints within 2 or 4 mm.</caption></table>`];
  const k = l.keypoint_sources;
  if (k) {
    parts.push(`<p class="note" id="keypoint-sources">Keypoints of the radiographs read: ${count(k.annotated_train)} annotated training radiographs ` +
      `(the detector learnt from them); predicted by the detector for ${count(k.predicted_train)} unannotated training and ` +
      `${count(k.predicted_test)} test radiographs${k.unused_test_annotations > 0 ? ` (the ${count(k.unused_test_annotations)} annotated test radiographs' annotations were not used)` : ''}. ` +
      'Predictions the detector flagged as implausible leave their patients out (cohort flow).</p>');
  }
  const g = results.galleries?.keypoints;
  if (g && g.tiles.length > 0) {
    parts.push(`<figure id="gallery-keypoints" class="figure gallery">${keypointGallerySvg('gallery-keypoints', g, requireReader(options))}` +
      `<figcaption>${escapeHtml(g.selection)}. Orange dots: predicted centres of L1–L5; blue rings: the annotation.</figcaption></figure>`);
  }
  return parts.join('\n');
}

const VARIANT_LABELS: Record<string, string> = { 'full-l1l5': 'Full image, L1–L5', 'full-l1l4': 'Full image, L1–L4', patches: 'L1–L5 body patches' };

function variantName(v: { variant: string; masks: boolean }): string {
  return `${VARIANT_LABELS[v.variant] ?? v.variant}, ${v.masks ? 'with' : 'without'} masks`;
}

async function variantsSection(results: StudyResults): Promise<string> {
  const sel = results.variant_selection;
  const rows = results.variants
    .map((v) => `<tr${v.chosen ? ' class="sig"' : ''}><td>${escapeHtml(variantName(v))}${v.chosen ? ' (chosen)' : ''}</td>` +
      `<td>${withCi(v.auroc, v.auroc_ci95)}</td><td>${fixed(v.sensitivity)}</td><td>${fixed(v.specificity)}</td><td>${fixed(v.ppv)}</td>` +
      `<td>${fixed(v.npv)}</td><td>${fixed(v.threshold)}</td><td>${count(v.n)} (${count(v.positives)})</td></tr>`)
    .join('\n');
  const figure = await figureHtml({
    id: 'roc-variants',
    spec: rocSpec(results.variants.map((v) => ({ name: `${variantName(v)} (${fixed(v.auroc)})`, fpr: v.roc.fpr, tpr: v.roc.tpr })), 'ROC curves of the preprocessing variants'),
    caption: `Out-of-fold ROC curves inside the training split${sel ? ` (${sel.folds}-fold cross-validation)` : ''}; AUROC in brackets.`,
  });
  return `<h2>Table 2. Preprocessing variants</h2>
<p>Each variant of the aligned radiograph was compared by cross-validation inside the training split${sel ? ` (${sel.folds} folds, the same folds for every variant)` : ''}:
${sel ? escapeHtml(sel.model) : 'a model'} was fitted on the other folds and scored the held-out one. The variant with the highest
AUROC was used for every image model below; the test split played no part in the choice.</p>
<table id="variants"><thead><tr><th>Variant</th><th>AUROC (95% CI)</th><th>Sensitivity</th><th>Specificity</th><th>PPV</th><th>NPV</th><th>Threshold</th><th>n (fractures)</th></tr></thead>
<tbody>${rows}</tbody>
<caption>${sel ? `Outcome: ${escapeHtml(sel.outcome)}. Threshold: ${escapeHtml(sel.threshold_rule)}. ` : ''}AUROC CI by DeLong's method.</caption></table>
${figure}`;
}

function gradcamSection(g: NonNullable<NonNullable<StudyResults['galleries']>['gradcam']>[number], options: RenderOptions): string {
  const id = `gradcam-${g.model}`;
  return `<h2>Where the image model looks: Grad-CAM</h2>
<figure id="${escapeHtml(id)}" class="figure gallery">${gradcamGallerySvg(id, g, requireReader(options))}
<figcaption>${escapeHtml(g.selection)}. Grad-CAM of ${escapeHtml(g.model)} over the ${escapeHtml(VARIANT_LABELS[g.variant] ?? g.variant)} input: warm colours mark
the regions whose features raised the predicted risk most. Orange frames: patients who fractured during follow-up.</figcaption></figure>`;
}

function requireReader(options: RenderOptions): AssetReader {
  if (!options.readAsset) throw new Error('renderReport: the results hold galleries but no readAsset was given to read their pictures');
  return options.readAsset;
}

function cohortFlow(results: StudyResults): string {
  const c = results.cohort;
  const excludedTotal = c.excluded.reduce((a, e) => a + e.n, 0);
  const reasons = c.excluded.length === 0 ? 'none' : c.excluded.map((e) => `${escapeHtml(e.reason)}: ${count(e.n)}`).join('<br>');
  const split = (name: string, s: typeof c.train) =>
    `<div class="box">${name}<b>${count(s.n)}</b>${count(s.events)} fractures (${fixed((100 * s.events) / Math.max(1, s.n), 1)}%)<br>` +
    `${count(s.women)} women, ${count(s.women_events)} fractures</div>`;
  return `<h2>Cohort</h2>
<div class="flow">
  <div class="box">Rows read<b>${count(c.rows_read)}</b></div><div class="arrow">→</div>
  <div class="box">Excluded<b>${count(excludedTotal)}</b>${reasons}</div><div class="arrow">→</div>
  <div class="box">Analysed<b>${count(c.analysed)}</b></div><div class="arrow">→</div>
  ${split('Training split', c.train)}
  ${split('Test split', c.test)}
</div>
<p class="note">Every row was checked before any model was fitted; a cohort with an invalid row is refused as a whole.
${c.frax_source ? `FRAX: ${escapeHtml(c.frax_source)}.` : 'The cohort has no FRAX column, so FRAX is not compared.'}</p>`;
}

function table1(results: StudyResults): string {
  const t = results.table1;
  const head = t.groups.map((g) => `<th>${escapeHtml(g.label)}<br>(n = ${count(g.n)})</th>`).join('');
  const body = t.rows
    .map((r) => `<tr><td>${escapeHtml(r.label)}</td>${t.groups.map((g) => `<td>${escapeHtml(r.cells[g.key] ?? '—')}</td>`).join('')}<td>${pValue(r.p)}</td></tr>`)
    .join('\n');
  return `<h2>Table 1. Baseline characteristics</h2>
<table id="table1"><thead><tr><th>Characteristic</th>${head}<th>P value</th></tr></thead>
<tbody>${body}</tbody>
<caption>Values are mean ± standard deviation or number (%). Student's t test for continuous variables, chi-square test (with Yates' continuity correction) for categorical ones; — where a characteristic is absent in both sets.</caption></table>`;
}

function modelsTable(models: ModelResult[]): string {
  const horizons = Object.keys(models[0]?.auc ?? {});
  const head = `<th>Model</th><th>Test n (events)</th><th>Harrell's C (95% CI)</th><th>Uno's C</th>` +
    horizons.map((h) => `<th>AUC ${h} y</th>`).join('') + horizons.map((h) => `<th>Brier ${h} y</th>`).join('') +
    `<th>Training C (95% CI)</th>`;
  const body = models.map((m) => `<tr><td>${escapeHtml(modelLabel(m))}</td><td>${count(m.n)} (${count(m.events)})</td>` +
    `<td>${withCi(m.harrell, m.harrell_ci95)}</td><td>${fixed(m.uno)}</td>` +
    horizons.map((h) => `<td>${fixed(m.auc[h])}</td>`).join('') + horizons.map((h) => `<td>${fixed(m.brier[h])}</td>`).join('') +
    `<td>${withCi(m.train_harrell, m.train_harrell_ci95)}</td></tr>`).join('\n');
  return `<table class="models"><thead><tr>${head}</tr></thead><tbody>${body}</tbody>
<caption>Uno's C weights pairs by the inverse probability of remaining uncensored. AUC: cumulative/dynamic AUC at each
horizon; Brier: inverse-probability-of-censoring weighted Brier score (lower is better). Training C is the apparent C-index on
the data the model was fitted to (as the paper's Figure 3), with a Wald interval from its infinitesimal-jackknife SE; it is optimistic.</caption></table>`;
}

function comparisonsTable(results: StudyResults): string {
  const byKey = new Map(results.test.models.map((m) => [m.key, m]));
  const rows = results.test.comparisons.map((c) => {
    const a = byKey.get(c.model)!;
    const b = byKey.get(c.reference)!;
    const sig = c.p < 0.05 ? ' class="sig"' : '';
    return `<tr${sig}><td>${SUBGROUP_LABELS[c.subgroup]}</td><td>${escapeHtml(modelLabel(a))}</td><td>${escapeHtml(modelLabel(b))}</td>` +
      `<td>${withCi(c.difference, c.ci95)}</td><td>${pValue(c.p)}</td></tr>`;
  });
  return `<h2>Paired comparisons</h2>
<p>Each model against CoxPH model 3 and against FRAX, on the same test patients: the difference in Harrell's C-index.</p>
<table id="comparisons"><thead><tr><th>Subgroup</th><th>Model</th><th>Compared with</th><th>Difference in C (95% CI)</th><th>P value</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
<caption>${escapeHtml(results.test.comparisons[0]?.method ?? '')}. Bold: p &lt; 0.05 (not corrected for multiple comparisons).</caption></table>`;
}

function methods(results: StudyResults): string {
  const notes = results.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<h2>Methods and notes</h2>
<ul class="note">
<li>Clinical model 1: age and sex; model 2: + body mass index; model 3: + glucocorticoid use and secondary osteoporosis (sex is
left out within women).</li>
<li>CoxPH: Cox proportional hazards (Efron ties). DeepSurv: a multilayer perceptron trained on the Cox partial likelihood
(${escapeHtml(describeSettings(results.settings.deepsurv))}).</li>
<li>Confidence intervals: percentile bootstrap with ${results.settings.bootstrap as number} resamples of test patients (seed ${results.seed}).</li>
${notes}
</ul>`;
}

/** "layers 2, width 32, activation selu, ..." from the settings object. */
function describeSettings(settings: unknown): string {
  if (typeof settings !== 'object' || settings === null) return '';
  return Object.entries(settings as Record<string, unknown>)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${Array.isArray(v) ? v.join('/') : String(v)}`)
    .join(', ');
}
