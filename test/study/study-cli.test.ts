/**
 * `spinesurv study` end to end on a small cohort made by code: the results.json shape of CLI.md, every
 * C-index and its SE equal to R's survival::concordance on the written predictions, model folders that
 * `spinesurv predict` reads back to the same risks, a report that renders in Chromium with every
 * figure and no patient identifier, repeatability, and the all-or-nothing refusal of a bad cohort.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../../src/util/csv.js';
import type { StudyResults } from '../../src/report/results.js';
import { checkReport } from '../report/browser.js';
import { makeFixtureCohort } from './fixture-cohort.js';
import { rscript } from '../survival/rscript.js';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

let work: string;
let cohort: string;
let configPath: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-study-'));
  cohort = makeFixtureCohort({ patients: 320, seed: 4 });
  configPath = join(work, 'study.json');
  // Small settings keep the test quick; the demo uses the defaults.
  // The fixture's image files are placeholders: the clinical half only (the image half has its own test).
  writeFileSync(configPath, JSON.stringify({ bootstrap: 100, deepsurv: { epochs: 60, patience: 20 }, images: { enabled: false } }));
});

after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(cohort, { recursive: true, force: true });
});

test('a study writes results.json in the CLI.md shape, and each C-index equals spinesurv concordance on its predictions', async () => {
  const out = join(work, 'out');
  const r = cli(['study', '--cohort', cohort, '--out', out, '--config', configPath, '--seed', '3']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`report: ${out.replace(/[/.]/g, '\\$&')}/report\\.html`));
  assert.match(r.stdout, /all {4}CoxPH, model 3 +0\.\d{3} \(0\.\d{3} to 0\.\d{3}\)/);

  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
  assert.deepEqual(results.variants, []);
  const models = results.test.models;
  // 3 CoxPH + 3 DeepSurv + FRAX, for all patients and for women.
  assert.equal(models.length, 14);
  for (const m of models) {
    assert.ok(['coxph', 'deepsurv', 'frax'].includes(m.method));
    assert.ok(m.method === 'frax' ? m.clinical_model === null : [1, 2, 3].includes(m.clinical_model as number));
    assert.ok(m.subgroup === 'all' || m.subgroup === 'women');
    assert.ok(m.harrell_ci95[0] <= m.harrell && m.harrell <= m.harrell_ci95[1], `${m.key} CI holds C`);
    assert.deepEqual(Object.keys(m.auc), ['1', '3', '5']);
    assert.deepEqual(Object.keys(m.brier), ['1', '3', '5']);
    assert.ok(typeof m.uno === 'number');

  }
  // Each C-index and its SE as R's survival::concordance computes them from the written predictions.
  const ref = rscript(`
    emit(lapply(seq(1, length(args), by = 2), function(k) {
      d <- read.csv(args[k]); x <- concordance(Surv(d$time, d$event) ~ d[[args[k + 1]]], reverse = TRUE)
      list(n = nrow(d), c = unname(x$concordance), se = sqrt(unname(x$var)))
    }))`, models.flatMap((m) => [join(out, m.predictions.file), m.predictions.column]));
  models.forEach((m, k) => {
    assert.equal(ref[k].n, m.n, `${m.key} n`);
    assert.ok(Math.abs(ref[k].c - m.harrell) < 1e-9, `${m.key}: ${m.harrell} vs R concordance ${ref[k].c}`);
    assert.ok(Math.abs(ref[k].se - m.harrell_se) < 1e-9, `${m.key}: SE ${m.harrell_se} vs R ${ref[k].se}`);
  });
  // Comparisons: every model of a subgroup against CoxPH model 3 and against FRAX.
  assert.equal(results.test.comparisons.length, 2 * (6 + 5));
  assert.ok(results.test.comparisons.every((c) => c.ci95[0] <= c.difference && c.difference <= c.ci95[1]));
  // Each paired comparison against R: the difference and the infinitesimal-jackknife p of
  // concordance(fit1, fit2) (coxph fits holding each score as a fixed linear predictor), and the
  // bootstrap p, whose SE (100 resamples, about 7% noise) must be near R's jackknife SE.
  const where = new Map(models.map((m) => [m.key, m.predictions]));
  const comparisons = results.test.comparisons as Array<(typeof results.test.comparisons)[number] & { jackknife_p: number }>;
  const paired = rscript(`
    emit(lapply(seq(1, length(args), by = 3), function(k) {
      d <- read.csv(args[k]); d$s1 <- d[[args[k + 1]]]; d$s2 <- d[[args[k + 2]]]
      f1 <- suppressWarnings(coxph(Surv(time, event) ~ s1, data = d, init = 1, iter.max = 0))
      f2 <- suppressWarnings(coxph(Surv(time, event) ~ s2, data = d, init = 1, iter.max = 0))
      x <- concordance(f1, f2); v <- x$var
      diff <- unname(x$concordance[1] - x$concordance[2]); se <- sqrt(v[1, 1] + v[2, 2] - 2 * v[1, 2])
      list(diff = diff, se = se, p = 2 * pnorm(-abs(diff / se)))
    }))`, comparisons.flatMap((c) => {
    const [a, b] = [where.get(c.model)!, where.get(c.reference)!];
    assert.equal(a.file, b.file, 'a comparison is paired within one predictions file');
    return [join(out, a.file), a.column, b.column];
  }));
  let sePairs = 0;
  comparisons.forEach((c, k) => {
    const r = paired[k];
    assert.ok(Math.abs(c.difference - r.diff) < 1e-9, `${c.model} - ${c.reference}: ${c.difference} vs R ${r.diff}`);
    assert.ok(Math.abs(c.jackknife_p - r.p) < 1e-6 * Math.max(1e-3, r.p), `${c.model} - ${c.reference}: jackknife p ${c.jackknife_p} vs R ${r.p}`);
    const z = Math.abs(r.diff / r.se);
    if (z > 1 && c.p > 1e-12) {
      const bootSe = Math.abs(c.difference) / normalQuantile(1 - c.p / 2, 0, 1);
      assert.ok(bootSe / r.se > 0.6 && bootSe / r.se < 1.6, `${c.model} - ${c.reference}: bootstrap SE ${bootSe} vs R jackknife ${r.se}`);
      sePairs++;
    }
  });
  assert.ok(sePairs >= 3, `only ${sePairs} comparisons were clear enough to check the bootstrap SE`);
  assert.equal(results.test.km.length, 4);
  assert.equal(results.test.calibration.length, 6);
  assert.equal(results.cohort.rows_read, 320);
  assert.equal(results.table1.groups[0].n + results.table1.groups[1].n, 320);

  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.seed, 3);
  assert.match(manifest.inputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.equal(manifest.inputs[1].role, 'config');

  // The saved model folders score the written rows to the same risks.
  for (const key of ['coxph_m3_all', 'deepsurv_m2_women']) {
    const file = join(out, `predictions/test-${key.endsWith('women') ? 'women' : 'all'}.csv`);
    const scored = join(work, `${key}.csv`);
    const p = cli(['predict', '--model', join(out, 'models', key), '--data', file, '--out', scored]);
    assert.equal(p.status, 0, p.stderr);
    const again = readCsv(scored).numbers('risk');
    const written = readCsv(file).numbers(key);
    again.forEach((v, i) => assert.ok(Math.abs(v - written[i]) < 1e-9, `${key} row ${i}`));
  }

  // The report renders with every figure, a clean console, and no patient identifier.
  const page = await checkReport(join(out, 'report.html'));
  assert.deepEqual(page.consoleErrors, []);
  assert.equal(page.figures.length, 2 + 4 + 2);
  for (const f of page.figures) assert.ok(f.visibleMarks >= 8, `${f.id} drew ${f.visibleMarks} marks`);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /P0\d{3}/, 'no patient_id in the report');
  assert.doesNotMatch(readFileSync(join(out, 'predictions/test-all.csv'), 'utf8'), /P0\d{3}/);

  // Same seed, same numbers.
  const out2 = join(work, 'out2');
  assert.equal(cli(['study', '--cohort', cohort, '--out', out2, '--config', configPath, '--seed', '3']).status, 0);
  assert.equal(readFileSync(join(out2, 'results.json'), 'utf8'), readFileSync(join(out, 'results.json'), 'utf8'));
});

test('a cohort with bad rows exits 2 naming each one, and OUT holds nothing but the error report', () => {
  const bad = makeFixtureCohort({
    patients: 50,
    edit(header, rows) {
      rows[3][header.indexOf('followup_years')] = '-1';
      rows[7][header.indexOf('sex')] = '3';
      rows[12][header.indexOf('image')] = 'images/nowhere.dcm';
    },
  });
  try {
    const out = join(work, 'bad-out');
    const r = cli(['study', '--cohort', bad, '--out', out, '--config', configPath]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /3 of 50 rows are invalid/);
    assert.match(r.stderr, /line 5: follow-up .* negative/);
    assert.match(r.stderr, /line 9: sex code "3"/);
    assert.match(r.stderr, /line 14: image file not found/);
    assert.doesNotMatch(r.stderr, /DeepSurv|CoxPH/, 'nothing was fitted');
    assert.deepEqual(readdirSync(out), ['.spinesurv-output.json', 'error-report.json']);
    const report = JSON.parse(readFileSync(join(out, 'error-report.json'), 'utf8'));
    assert.deepEqual(report.bad_rows.map((b: { line: number }) => b.line), [5, 9, 14]);
  } finally {
    rmSync(bad, { recursive: true, force: true });
  }
});

test('OUT must not be a folder of other files, and bad usage exits 2', () => {
  const busy = join(work, 'busy');
  const r1 = cli(['study', '--cohort', cohort, '--out', work]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /is not empty and was not written by spinesurv; nothing there is replaced/);
  assert.ok(!existsSync(busy));
  const r2 = cli(['study', '--cohort', cohort]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--out is required/);
});
