// Usage (after `npm run build`): [PAIR=VAL_A,VAL_B] node bench/validation/table.mjs SUBGROUP "label=VAL" ...
// Tabulates VAL/results.json of the measured sites (subgroup all) for docs/validation.md, and the paired
// C difference between two sites that hold the same patients (acquisition-only site vs the same
// patients at the default site) from their predictions.
import { readFileSync } from 'node:fs';
const { compareConcordance } = await import(new URL('../../dist/src/survival/compare-concordance.js', import.meta.url).href);
const { readCsv } = await import(new URL('../../dist/src/util/csv.js', import.meta.url).href);
const { Random } = await import(new URL('../../dist/src/util/random.js', import.meta.url).href);
const f = (x, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const ci = (c, d = 3) => `${f(c[0], d)} to ${f(c[1], d)}`;
const labels = { coxph: 'CoxPH', deepsurv: 'DeepSurv', deepsurv_image: 'DeepSurv + image', deepsurv_image_only: 'image only', frax: 'FRAX' };
const name = (m) => `${labels[m.method]}${m.clinical_model ? ` m${m.clinical_model}` : ''}`;
const [subgroup, ...sites] = process.argv.slice(2);
for (const site of sites) {
  const [label, dir] = site.split('=');
  const r = JSON.parse(readFileSync(`${dir}/results.json`, 'utf8'));
  const v = r.cohort.validated[subgroup];
  console.log(`\n**${label}** (${subgroup}: ${v.n} patients, ${v.events} fractures; ${r.cohort.refused.reduce((a, x) => a + x.n, 0)} radiographs refused)\n`);
  console.log('| model | C at the site (95% CI) | development C | change (95% CI) | O/E 3 y (95% CI) | slope (95% CI) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const m of r.test.models.filter((x) => x.subgroup === subgroup)) {
    const d = m.development_difference;
    console.log(`| ${name(m)} | ${f(m.harrell)} (${ci(m.harrell_ci95)}) | ${f(m.development_harrell)} | ${d.difference >= 0 ? '+' : ''}${f(d.difference)} (${ci(d.ci95)}) | ${f(m.calibration['3'].oe, 2)} (${ci(m.calibration['3'].oe_ci95, 2)}) | ${f(m.calibration['3'].slope, 2)} (${ci(m.calibration['3'].slope_ci95, 2)}) |`);
  }
}
const pair = process.env.PAIR;
if (pair) {
  const [a, b] = pair.split(',');
  const A = readCsv(`${a}/predictions/test-${subgroup}.csv`);
  const B = readCsv(`${b}/predictions/test-${subgroup}.csv`);
  const lines = new Map(Array.from(B.numbers('cohort_line'), (l, i) => [l, i]));
  const rowsA = []; const rowsB = [];
  A.numbers('cohort_line').forEach((l, i) => { if (lines.has(l)) { rowsA.push(i); rowsB.push(lines.get(l)); } });
  const pick = (t, col, rows) => Float64Array.from(rows, (i) => t.numbers(col)[i]);
  console.log(`\nSame ${rowsA.length} patients, ${a} minus ${b}: paired bootstrap (1000 resamples)\n`);
  console.log('| model | C difference (95% CI) | p (IJ) |');
  console.log('| --- | --- | --- |');
  const time = pick(A, 'time', rowsA); const event = pick(A, 'event', rowsA);
  for (const key of A.header.filter((h) => h.endsWith(`_${subgroup}`))) {
    const c = compareConcordance(time, event, pick(A, key, rowsA), pick(B, key, rowsB), { B: 1000, random: new Random(1) });
    console.log(`| ${key} | ${c.difference >= 0 ? '+' : ''}${f(c.difference)} (${ci(c.bootstrap.ci95)}) | ${f(c.jackknife.p)} |`);
  }
}
