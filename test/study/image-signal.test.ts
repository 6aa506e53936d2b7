/**
 * The image model must carry the image's signal: on a synthetic cohort whose radiographs show each
 * patient's bone density, DeepSurv on the image alone ranks the test patients well above chance and
 * the image + clinical model clearly above CoxPH model 3; when the radiographs (and masks) are handed
 * to other patients (the cohort's image column rotated by one row, so every patient gets an unrelated
 * patient's pixels), the image-only model falls to about chance and the image + clinical model falls
 * back to about the clinical-only C (within 0.03 of CoxPH model 3): after training it is compared
 * with the clinical-only Cox model on the validation rows of the training split, which it does not
 * beat (the clinical fallback, src/models/image). Without the fallback it fitted the meaningless
 * pictures instead: 0.485 against CoxPH's 0.729.
 * A half-and-half split (instead of 179 of 1,595) gives the test split enough events to tell these
 * apart. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/index.js';
import type { StudyResults } from '../../src/report/results.js';
import { formatCsv, readCsv } from '../../src/util/csv.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

let work: string;

/** Rewrites cohort.csv: a half-and-half split dealt within events and within non-events; optionally the images rotated by one row. */
function rewrite(dir: string, rotate: boolean): void {
  const path = join(dir, 'cohort.csv');
  const table = readCsv(path);
  const header = table.header;
  const rows = table.rows.map((r) => [...r]);
  const col = (name: string) => header.indexOf(name);
  const seen = { '0': 0, '1': 0 } as Record<string, number>;
  for (const r of rows) r[col('split')] = seen[r[col('fracture')]]++ % 2 === 0 ? 'train' : 'test';
  if (rotate) {
    const images = rows.map((r) => [r[col('image')], r[col('mask')]]);
    rows.forEach((r, i) => ([r[col('image')], r[col('mask')]] = images[(i + 1) % rows.length]));
  }
  writeFileSync(path, formatCsv(header, rows));
}

function study(cohort: string, out: string): StudyResults {
  const config = join(work, 'study.json');
  const r = cli(['study', '--cohort', cohort, '--out', out, '--config', config, '--seed', '1']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-image-signal-'));
  await generateCohort({ out: join(work, 'real'), patients: 600, size: 128, seed: 7, workers: 0 });
  cpSync(join(work, 'real'), join(work, 'shuffled'), { recursive: true });
  rewrite(join(work, 'real'), false);
  rewrite(join(work, 'shuffled'), true);
  writeFileSync(join(work, 'study.json'), JSON.stringify({
    bootstrap: 50, subgroups: ['all'], deepsurv: { epochs: 40, patience: 10 },
    images: { keypoints: 'annotated', landmark_epochs: 1, variants: ['patches'], variant_folds: 2, variant_epochs: 1, models: [3, 0] },
  }));
});

after(() => rmSync(work, { recursive: true, force: true }));

test("the image model carries the image's signal: above CoxPH on the real radiographs; with other patients' radiographs image only falls to chance and image + clinical stays at the clinical C", (t) => {
  const real = study(join(work, 'real'), join(work, 'out-real'));
  const shuffled = study(join(work, 'shuffled'), join(work, 'out-shuffled'));
  const c = (r: StudyResults, key: string) => r.test.models.find((m) => m.key === key)!.harrell;
  const summary = {
    real_image_only: c(real, 'deepsurv_image_only_all'), real_image_m3: c(real, 'deepsurv_image_m3_all'), real_coxph_m3: c(real, 'coxph_m3_all'),
    shuffled_image_only: c(shuffled, 'deepsurv_image_only_all'), shuffled_image_m3: c(shuffled, 'deepsurv_image_m3_all'), shuffled_coxph_m3: c(shuffled, 'coxph_m3_all'),
    oracle: real.truth!.oracle_harrell, clinical_line: real.truth!.clinical_only_harrell, test_events: real.cohort.test.events,
  };
  t.diagnostic(JSON.stringify(summary));
  assert.ok(summary.real_image_only > 0.62, `image only on the real radiographs: ${summary.real_image_only}`);
  assert.ok(summary.real_image_only > summary.shuffled_image_only + 0.08, 'the real radiographs carry what the shuffled ones do not');
  assert.ok(Math.abs(summary.shuffled_image_only - 0.5) < 0.1, `image only on other patients' radiographs: ${summary.shuffled_image_only}`);
  // Image + clinical (the cross-fitted ensemble's Cox fusion): on 300 training patients with about 21
  // events the fusion gives the image a small weight, so model 3 sits only ~0.02 above CoxPH model 3 and
  // above its shuffled twin (0.749, 0.729, 0.730 measured), against +0.13 for the old joint network's
  // lucky run; docs/report.md says why (the fusion is fitted on one member's out-of-fold score, noisier
  // than the mean of five it is applied to). What must hold: the image never costs C, and adds some.
  assert.ok(summary.real_image_m3 > summary.real_coxph_m3 + 0.01, `image + clinical ${summary.real_image_m3} vs CoxPH model 3 ${summary.real_coxph_m3}`);
  assert.ok(summary.real_image_m3 > summary.shuffled_image_m3 + 0.01, 'image + clinical: the real radiographs carry what the shuffled ones do not');
  // With meaningless pixels the fusion's image weight is near zero: about the clinical-only C (CoxPH model 3 on the same split).
  assert.ok(summary.shuffled_image_m3 >= summary.shuffled_coxph_m3 - 0.03, `image + clinical on other patients' radiographs ${summary.shuffled_image_m3} vs CoxPH model 3 ${summary.shuffled_coxph_m3}`);
  const paired = real.test.comparisons.find((x) => x.model === 'deepsurv_image_m3_all' && x.reference === 'coxph_m3_all')!;
  t.diagnostic(`image + clinical model 3 minus CoxPH model 3: ${paired.difference.toFixed(3)} (${paired.ci95.map((v) => v.toFixed(3)).join(' to ')}), p ${paired.p.toFixed(4)}`);
});
