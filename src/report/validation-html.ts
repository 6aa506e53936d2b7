/**
 * VAL/report.html: a study's models at another site, drawn from VAL/results.json alone (the same
 * style, figures and number formats as the study's report): who was validated, how much C-index each
 * model kept against its development site, calibration at each horizon, the decision curves, and with
 * --recalibrate each model before and after its update. It holds no patient identifier.
 */
import type { Subgroup } from './results.js';
import { modelLabel, METHOD_LABELS } from './results.js';
import type { ValidationModelResult, ValidationResults } from './validation-results.js';
import { calibrationSpec, forestSpec, type ForestRow } from './figures.js';
import { decisionCurveSpec } from './decision-curve.js';
import { count, escapeHtml, fixed, pValue, withCi } from './format.js';
import { figureHtml, STYLE, SUBGROUP_LABELS } from './html.js';

function label(m: ValidationModelResult): string {
  return modelLabel(m) + (m.recalibrated ? ` (updated: ${m.recalibrated})` : '');
}

/** The models the figures show, so that each stays readable: model 3 of each method, image only and FRAX. */
function featured(models: ValidationModelResult[]): ValidationModelResult[] {
  return models.filter((m) => m.clinical_model === 3 || m.clinical_model === null);
}

async function discrimination(results: ValidationResults, s: Subgroup, models: ValidationModelResult[]): Promise<string> {
  const horizons = results.settings.horizons.map(String);
  const rows: ForestRow[] = models.flatMap((m) => [
    { row: label(m), group: 'new site', c: m.harrell, lo: m.harrell_ci95[0], hi: m.harrell_ci95[1] },
    { row: label(m), group: 'development site', c: m.development_harrell, lo: m.development_harrell, hi: m.development_harrell },
  ]);
  const figure = await figureHtml({
    id: `forest-${s}`,
    spec: forestSpec(rows, [{ value: 0.5, name: 'chance' }], `C-index at the new site — ${SUBGROUP_LABELS[s]}`),
    caption: "Harrell's C at the new site with its 95% bootstrap CI, beside the same model's C on its development site's test split.",
  });
  const head = `<th>Model</th><th>n (events)</th><th>Harrell's C (95% CI)</th><th>Development C</th><th>Change (95% CI)</th><th>P value</th><th>Uno's C (95% CI)</th>` +
    horizons.map((h) => `<th>AUC ${h} y (95% CI)</th>`).join('');
  const body = models.map((m) => `<tr><td>${escapeHtml(label(m))}</td><td>${count(m.n)} (${count(m.events)})</td><td>${withCi(m.harrell, m.harrell_ci95)}</td>` +
    `<td>${fixed(m.development_harrell)}</td><td>${withCi(m.development_difference.difference, m.development_difference.ci95)}</td><td>${pValue(m.development_difference.p)}</td>` +
    `<td>${withCi(m.uno, m.uno_ci95)}</td>` + horizons.map((h) => `<td>${withCi(m.auc[h], m.auc_ci95[h])}</td>`).join('') + '</tr>').join('\n');
  return `${figure}<table class="models"><thead><tr>${head}</tr></thead><tbody>${body}</tbody>
<caption>Change: C at the new site minus C at the development site; its CI resamples each site's patients independently (they are different patients).
AUC: cumulative/dynamic AUC at each horizon.</caption></table>`;
}

async function calibration(results: ValidationResults, s: Subgroup, models: ValidationModelResult[]): Promise<string> {
  const horizons = results.settings.horizons.map(String);
  const head = `<th>Model</th>` + horizons.map((h) => `<th>O/E ${h} y (95% CI)</th>`).join('') + `<th>Slope (95% CI)</th>`;
  const body = models.map((m) => `<tr><td>${escapeHtml(label(m))}</td>` +
    horizons.map((h) => `<td>${withCi(m.calibration[h].oe, m.calibration[h].oe_ci95, 2)}</td>`).join('') +
    `<td>${withCi(m.calibration[horizons[0]].slope, m.calibration[horizons[0]].slope_ci95, 2)}</td></tr>`).join('\n');
  const shown = featured(models);
  const horizon = results.settings.calibration_horizon;
  const figure = await figureHtml({
    id: `calibration-${s}`,
    spec: calibrationSpec(shown.map((m) => ({
      model: m.key, label: label(m), subgroup: s, horizon,
      groups: m.calibration_curve.predicted.map((p, k) => ({ predicted: p, observed: m.calibration_curve.observed[k], lower: m.calibration_curve.observed[k], upper: m.calibration_curve.observed[k], n: 0 })),
    })), `Calibration at ${horizon} years — ${SUBGROUP_LABELS[s]}`),
    caption: `Smoothed calibration curves: at each point, the mean predicted risk and 1 − Kaplan-Meier of the 20% of patients nearest in predicted risk. The diagonal is perfect calibration.`,
  });
  return `<table class="models"><thead><tr>${head}</tr></thead><tbody>${body}</tbody>
<caption>O/E: observed risk (1 − Kaplan-Meier) over the mean predicted risk; above 1 the model under-predicts. Slope: Cox regression of the
outcome on the model's linear predictor (for FRAX, log(−log S(t))); below 1 the predictions are too extreme, above 1 too timid.</caption></table>${figure}`;
}

async function decisionCurves(results: ValidationResults, s: Subgroup, models: ValidationModelResult[]): Promise<string> {
  const parts: string[] = [];
  const shown = featured(models);
  for (const h of results.settings.horizons.map(String)) {
    const first = shown[0].net_benefit[h];
    parts.push(await figureHtml({
      id: `decision-${s}-${h}`,
      spec: decisionCurveSpec([
        ...shown.map((m) => ({ label: label(m), points: m.net_benefit[h].map((p) => ({ threshold: p.threshold, net_benefit: p.model })) })),
        { label: 'treat all', points: first.map((p) => ({ threshold: p.threshold, net_benefit: p.treat_all })) },
        { label: 'treat none', points: first.map((p) => ({ threshold: p.threshold, net_benefit: 0 })) },
      ], `Net benefit at ${h} years — ${SUBGROUP_LABELS[s]}`),
      caption: `Net benefit of treating patients whose predicted ${h}-year risk is at least the threshold (true positives minus false positives weighted by the threshold odds, from the Kaplan-Meier of those treated).`,
    }));
  }
  return parts.join('\n');
}

function updateTable(models: ValidationModelResult[]): string {
  const byKey = new Map(models.map((m) => [m.key, m]));
  const updated = models.filter((m) => m.recalibrated);
  if (updated.length === 0) return '';
  const h = Object.keys(updated[0].calibration);
  const last = h[h.length - 1];
  const rows = updated.map((u) => {
    const original = byKey.get(u.key.replace(/_recal_(intercept|slope)$/, ''))!;
    return `<tr><td>${escapeHtml(modelLabel(original))}</td><td>${fixed(u.recalibration_slope, 3)}</td><td>${fixed(original.harrell)} → ${fixed(u.harrell)}</td>` +
      `<td>${fixed(original.calibration[last].oe, 2)} → ${fixed(u.calibration[last].oe, 2)}</td><td>${fixed(original.calibration[last].slope, 2)} → ${fixed(u.calibration[last].slope, 2)}</td></tr>`;
  });
  return `<h3>Before and after updating</h3><table><thead><tr><th>Model</th><th>Fitted slope</th><th>Harrell's C</th><th>O/E ${last} y</th><th>Calibration slope</th></tr></thead>
<tbody>${rows.join('\n')}</tbody><caption>Updated on the new site's training split, judged on its test split. The C-index cannot change: the update keeps the ranking.</caption></table>`;
}

export async function renderValidationReport(results: ValidationResults): Promise<string> {
  const parts: string[] = [];
  const subgroups = [...new Set(results.test.models.map((m) => m.subgroup))];
  const c = results.cohort;
  parts.push(`<h1>External validation: the study's models at another site</h1>`);
  parts.push(`<p class="note">spinesurv ${escapeHtml(results.tool.version)} · study made by spinesurv ${escapeHtml(results.study.version)} (seed ${results.study.seed}) · ` +
    `seed ${results.seed} · ${results.settings.bootstrap} bootstrap resamples · follow-up in years</p>`);
  const refused = c.refused.reduce((a, r) => a + r.n, 0);
  parts.push(`<p class="lead">${count(c.rows_read)} rows read at the new site; ` +
    `${c.excluded.reduce((a, e) => a + e.n, 0)} excluded by the inclusion rules and ${refused} radiographs refused by the image models. ` +
    (c.validated_split === 'test' ? 'Models were updated on the training split and every figure is on the test split. ' : 'Every remaining row is validated. ') +
    subgroups.map((s) => `${SUBGROUP_LABELS[s]}: ${count(c.validated[s]!.n)} patients, ${count(c.validated[s]!.events)} fractures.`).join(' ') + '</p>');
  if (c.refused.length > 0) {
    parts.push(`<table><thead><tr><th>Radiographs refused (first reason)</th><th>n</th></tr></thead><tbody>` +
      c.refused.map((r) => `<tr><td>${escapeHtml(r.reason)}</td><td>${count(r.n)}</td></tr>`).join('') + `</tbody></table>`);
  }
  for (const s of subgroups) {
    const models = results.test.models.filter((m) => m.subgroup === s);
    parts.push(`<h2>${SUBGROUP_LABELS[s]}</h2>`);
    parts.push(`<h3>Discrimination</h3>${await discrimination(results, s, models)}`);
    parts.push(`<h3>Calibration</h3>${await calibration(results, s, models)}`);
    parts.push(`<h3>Decision curves</h3>${await decisionCurves(results, s, models)}`);
    parts.push(updateTable(models));
  }
  parts.push(`<h2>Methods and notes</h2><ul class="note">` +
    [`Methods: ${Object.values(METHOD_LABELS).join(', ')}; clinical models 1–3 as in the study.`,
      `Confidence intervals: percentile bootstrap over the new site's patients (${results.settings.bootstrap} resamples).`,
      ...results.notes].map((n) => `<li>${escapeHtml(n)}</li>`).join('') + `</ul>`);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>spinesurv external validation</title><style>${STYLE}</style></head>\n<body>\n${parts.join('\n')}\n</body></html>\n`;
}
