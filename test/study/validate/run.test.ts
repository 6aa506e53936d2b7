/**
 * `spinesurv validate` end to end on cohorts made by code: a small clinical study (images off) carried
 * to a second site whose true effects are half as strong and whose baseline hazard is four times as
 * high. Checked against references outside the code: the slope and C-index in results.json against
 * R's coxph and concordance on the written predictions; the slope update against the site's known
 * truth (slope within 0.1 of 1 on the test split, C unchanged); and every bad input refused with exit 2
 * naming the problem, leaving no output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidationResults } from '../../../src/report/validation-results.js';
import { makeFixtureCohort } from '../fixture-cohort.js';
import { readCsv } from '../../../src/util/csv.js';
import { rscript } from '../../survival/rscript.js';
import { assertClose } from '../../survival/fixtures.js';
import { checkReport } from '../../report/browser.js';

const bin = fileURLToPath(new URL('../../../../bin/spinesurv.js', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

let work: string;
let study: string;
let site: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-validate-'));
  const config = join(work, 'study.json');
  writeFileSync(config, JSON.stringify({ bootstrap: 20, subgroups: ['all'], deepsurv: { epochs: 30, patience: 10 }, images: { enabled: false } }));
  const development = makeFixtureCohort({ patients: 400, seed: 5 });
  study = join(work, 'study');
  const r = cli(['study', '--cohort', development, '--out', study, '--config', config]);
  assert.equal(r.status, 0, r.stderr);
  // Splits of unequal size, so that no step can mix up the training and the test rows.
  site = makeFixtureCohort({ patients: 6000, testFraction: 0.45, seed: 8, effectScale: 0.5, baselineHazard: 0.5 });
});

after(() => rmSync(work, { recursive: true, force: true }));

function readResults(dir: string): ValidationResults {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ValidationResults;
}

test('validate: every model of the study at the new site, slope and C as R computes them from the written predictions; the report draws', async () => {
  const out = join(work, 'val');
  const r = cli(['validate', '--study', study, '--cohort', site, '--out', out, '--bootstrap', '20']);
  assert.equal(r.status, 0, r.stderr);
  const results = readResults(out);
  const keys = results.test.models.map((m) => m.key);
  assert.deepEqual(keys, ['coxph_m1_all', 'coxph_m2_all', 'coxph_m3_all', 'deepsurv_m1_all', 'deepsurv_m2_all', 'deepsurv_m3_all', 'frax_all']);
  assert.equal(results.cohort.validated.all!.n, 6000);
  const cox = results.test.models.find((m) => m.key === 'coxph_m3_all')!;
  // The new site's effects are half as strong: the carried model is too extreme (slope well below 1)
  // and its baseline too low (O/E above 1).
  assert.ok(cox.calibration['3'].slope < 0.8, `slope ${cox.calibration['3'].slope}`);
  assert.ok(cox.calibration['3'].oe > 1.5, `O/E ${cox.calibration['3'].oe}`);
  const ref = rscript(
    'd <- read.csv(args[1]); s <- sapply(args[-1], function(k) coef(coxph(Surv(d$time, d$event) ~ d[[k]]))); ' +
      'c <- sapply(args[-1], function(k) concordance(Surv(d$time, d$event) ~ d[[k]], reverse = TRUE)$concordance); emit(list(slope = unname(s), c = unname(c)))',
    [join(out, 'predictions', 'test-all.csv'), 'coxph_m3_all', 'deepsurv_m3_all'],
  );
  ['coxph_m3_all', 'deepsurv_m3_all'].forEach((key, k) => {
    const m = results.test.models.find((x) => x.key === key)!;
    assertClose(m.calibration['1'].slope, ref.slope[k], 1e-6, `${key} slope`);
    assertClose(m.harrell, ref.c[k], 1e-9, `${key} Harrell's C`);
  });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /External validation/);
  assert.doesNotMatch(html, /P\d{4}/, 'no patient identifier in the report');
  const page = await checkReport(join(out, 'report.html'));
  assert.deepEqual(page.consoleErrors, []);
  // One subgroup: the C-index forest, the calibration curves, a decision curve per horizon.
  assert.equal(page.figures.length, 1 + 1 + 3);
  // A decision curve is one path per line: three models, treat-all and treat-none.
  for (const f of page.figures) assert.ok(f.visibleMarks >= (f.id.startsWith('decision') ? 5 : 8), `${f.id} drew ${f.visibleMarks} marks`);
});

test('validate --recalibrate slope: slope within 0.1 of 1 on the test split, C unchanged; updated folders beside, predict reads them', () => {
  const out = join(work, 'val-slope');
  const r = cli(['validate', '--study', study, '--cohort', site, '--out', out, '--recalibrate', 'slope', '--bootstrap', '20']);
  assert.equal(r.status, 0, r.stderr);
  const results = readResults(out);
  assert.equal(results.cohort.validated.all!.n, 2700);
  assert.equal(results.cohort.update!.all!.n, 3300);
  for (const m of results.test.models.filter((x) => x.recalibrated === 'slope')) {
    const original = results.test.models.find((x) => x.key === m.key.replace('_recal_slope', ''))!;
    assert.ok(Math.abs(m.calibration['3'].slope - 1) < 0.1, `${m.key}: slope ${m.calibration['3'].slope}`);
    // The Cox models carry the development site's full effects to a site where they are half as strong.
    if (original.method === 'coxph') assert.ok(original.calibration['3'].slope < 0.7, `${original.key} was miscalibrated: ${original.calibration['3'].slope}`);
    assert.equal(m.harrell, original.harrell, `${m.key}: C unchanged`);
    assert.ok(existsSync(join(out, 'models', m.key, 'model.json')), `${m.key} folder`);
  }
  assert.equal(results.test.models.filter((x) => x.recalibrated).length, 6, 'every fitted model updated, FRAX not');
  // The updated folders (Cox: the slope in its coefficients; DeepSurv: risk_scale) score rows as the
  // validation did: predict's risk is the model's column in predictions/, and S(3) averages to the
  // expected risk behind the O/E at 3 years.
  const predictions = join(out, 'predictions', 'test-all.csv');
  for (const key of ['coxph_m3_all_recal_slope', 'deepsurv_m3_all_recal_slope']) {
    const scored = join(work, `scored-${key}.csv`);
    const p = cli(['predict', '--model', join(out, 'models', key), '--data', predictions, '--out', scored, '--times', '3']);
    assert.equal(p.status, 0, p.stderr);
    const table = readCsv(scored);
    const risk = table.numbers('risk');
    const written = table.numbers(key);
    for (let i = 0; i < 50; i++) assertClose(risk[i], written[i], 1e-6, `${key} risk, row ${i}`);
    const surv = table.numbers('surv_3');
    const expected = surv.reduce((a, v) => a + (1 - v), 0) / surv.length;
    assertClose(expected, results.test.models.find((m) => m.key === key)!.calibration['3'].expected, 1e-6, `${key} expected risk at 3 years`);
  }
  // The study's own folders are untouched.
  assert.equal(JSON.parse(readFileSync(join(study, 'models', 'coxph_m3_all', 'model.json'), 'utf8')).recalibration, undefined);
});

test('validate refuses bad input with exit 2 naming the problem, and writes nothing', () => {
  const expectRefusal = (args: string[], pattern: RegExp) => {
    const out = join(work, 'refused');
    const r = cli(['validate', ...args, '--out', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.ok(!existsSync(out), 'no output folder');
  };
  const other = join(work, 'other-version');
  cpSync(study, other, { recursive: true });
  const results = JSON.parse(readFileSync(join(other, 'results.json'), 'utf8'));
  writeFileSync(join(other, 'results.json'), JSON.stringify({ ...results, tool: { ...results.tool, version: '0.0.1' } }));
  expectRefusal(['--study', other, '--cohort', site], /made by spinesurv 0\.0\.1/);
  writeFileSync(join(other, 'results.json'), JSON.stringify(results));
  rmSync(join(other, 'models', 'deepsurv_m2_all'), { recursive: true });
  expectRefusal(['--study', other, '--cohort', site], /deepsurv_m2_all.*missing/);
  expectRefusal(['--study', join(work, 'nowhere'), '--cohort', site], /cannot read a study's results/);
  const noFrax = makeFixtureCohort({ patients: 50, seed: 9, edit: (h, rows) => { const k = h.indexOf('frax_mof'); h.splice(k, 1); rows.forEach((r) => r.splice(k, 1)); } });
  expectRefusal(['--study', study, '--cohort', noFrax], /no column "frax_mof"/);
  const noBmi = makeFixtureCohort({ patients: 50, seed: 9, edit: (h) => { h[h.indexOf('bmi')] = 'weight'; } });
  expectRefusal(['--study', study, '--cohort', noBmi], /bmi/);
  expectRefusal(['--study', study, '--cohort', site, '--recalibrate', 'both'], /--recalibrate must be one of intercept, slope/);
});
