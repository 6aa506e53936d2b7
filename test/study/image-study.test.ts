/**
 * `spinesurv study` with the image half on a small synthetic cohort (tiny settings: the numbers are
 * not the point here, the wiring is): Table 2 of the variants with one chosen by cross-validation,
 * the detector's AP and MRE, the image models beside the clinical ones with the same metrics and
 * comparisons, every C-index equal to `spinesurv concordance` on the written predictions, the report
 * with its galleries drawn in Chromium; a second run reuses the unchanged stages and gives the same
 * bytes; a missing keypoints.json or an unreadable radiograph is handled before anything is trained.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/index.js';
import type { StudyResults } from '../../src/report/results.js';
import { checkReport } from '../report/browser.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

let work: string;
let cohort: string;
let config: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-image-study-'));
  cohort = join(work, 'cohort');
  await generateCohort({ out: cohort, patients: 200, size: 256, seed: 2, workers: 0 });
  config = join(work, 'study.json');
  writeFileSync(config, JSON.stringify({
    bootstrap: 20, subgroups: ['all'], deepsurv: { epochs: 20, patience: 5 },
    images: { keypoints: 'annotated', landmark_epochs: 1, variants: ['full-l1l5', 'patches'], variant_folds: 2, variant_epochs: 1, epochs: 2 },
  }));
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the image half: variants, landmarks, image models with metrics and comparisons, galleries; a rerun reuses the stages and gives the same bytes', async () => {
  const out = join(work, 'out');
  const r = cli(['study', '--cohort', cohort, '--out', out, '--config', config, '--seed', '4']);
  assert.equal(r.status, 0, r.stderr);
  const firstBytes = readFileSync(join(out, 'results.json'), 'utf8');
  const results = JSON.parse(firstBytes) as StudyResults;
  assert.deepEqual(results.variants.map((v) => `${v.variant}${v.masks ? '-masks' : ''}`), ['full-l1l5', 'patches']);
  assert.equal(results.variants.filter((v) => v.chosen).length, 1);
  for (const v of results.variants) {
    assert.ok(v.auroc_ci95[0] <= v.auroc && v.auroc <= v.auroc_ci95[1]);
    assert.equal(v.n, results.cohort.train.n, 'every training patient scored out of fold');
    assert.ok([v.sensitivity, v.specificity, v.ppv, v.npv].every((x) => x >= 0 && x <= 1));
  }
  assert.ok(results.landmarks && Number.isFinite(results.landmarks.ap) && Number.isFinite(results.landmarks.mre_mm));
  assert.match(results.landmarks.evaluation, /held-out fold/);
  const keys = results.test.models.map((m) => m.key);
  for (const key of ['deepsurv_image_m1_all', 'deepsurv_image_m2_all', 'deepsurv_image_m3_all', 'deepsurv_image_only_all']) assert.ok(keys.includes(key), key);
  for (const m of results.test.models.filter((x) => x.method.startsWith('deepsurv_image'))) {
    assert.deepEqual(Object.keys(m.auc), ['1', '3', '5']);
    const c = cli(['concordance', '--data', join(out, m.predictions.file), '--time', 'time', '--event', 'event', '--score', m.predictions.column, '--json']);
    assert.equal(c.status, 0, c.stderr);
    assert.ok(Math.abs(JSON.parse(c.stdout).harrell - m.harrell) < 1e-12, m.key);
    assert.ok(existsSync(join(out, 'models', m.key)), `${m.key} saved`);
  }
  const compared = results.test.comparisons.filter((c) => c.model === 'deepsurv_image_m3_all').map((c) => c.reference).sort();
  assert.deepEqual(compared, ['coxph_m3_all', 'frax_all']);
  assert.ok(results.truth!.gain_share.some((g) => g.key === 'deepsurv_image_only_all'));
  assert.ok(results.galleries!.gradcam![0].tiles.length > 0);
  assert.ok(results.notes.some((n) => /ANNOTATED keypoints/.test(n)), 'the annotated-keypoints shortcut is stated');

  // A study's image model folder is self-contained: `predict --image` takes it as it is (the study's
  // detector travels in it), and given the keypoints the study used, scores a test patient as the study did.
  const modelDir = join(out, 'models', 'deepsurv_image_m3_all');
  assert.ok(JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')).keypoint_model !== null, 'the model folder carries the detector');
  const predictions = readFileSync(join(out, 'predictions', 'test-all.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const cohortRows = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const column = (table: string[][], name: string) => table[0].indexOf(name);
  for (const p of predictions.slice(1, 4)) {
    const row = cohortRows[Number(p[column(predictions, 'cohort_line')]) - 1];
    const clinical = ['age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis'].flatMap((c) => [`--${c}`, row[column(cohortRows, c)]]);
    const image = join(cohort, row[column(cohortRows, 'image')]);
    // The folder's own detector runs (this one trained for one epoch, so it may well flag the keypoints).
    const alone = cli(['predict', '--model', modelDir, '--image', image, ...clinical, '--json']);
    assert.doesNotMatch(alone.stderr, /no keypoint detector/);
    if (alone.status === 0) assert.ok(Number.isFinite(JSON.parse(alone.stdout).risk));
    else assert.match(alone.stderr, /keypoints flagged/);
    const asStudied = cli(['predict', '--model', modelDir, '--image', image, '--keypoints', join(cohort, 'keypoints.json'), ...clinical, '--json']);
    assert.equal(asStudied.status, 0, asStudied.stderr);
    const studied = Number(p[column(predictions, 'deepsurv_image_m3_all')]);
    assert.ok(Math.abs(JSON.parse(asStudied.stdout).risk - studied) < 1e-4, `predict ${JSON.parse(asStudied.stdout).risk} vs the study's ${studied}`);
  }

  const page = await checkReport(join(out, 'report.html'));
  assert.deepEqual(page.consoleErrors, []);
  for (const f of page.figures) {
    if (f.images > 0) assert.equal(f.decodedImages, f.images, `${f.id} pictures decode`);
    else assert.ok(f.visibleMarks >= 3, `${f.id} drew ${f.visibleMarks} marks`);
  }
  assert.ok(page.figures.some((f) => f.id === 'gallery-keypoints') && page.figures.some((f) => f.id === 'roc-variants'));
  assert.doesNotMatch(readFileSync(join(out, 'report.html'), 'utf8'), /SYN\d{4}/, 'no patient id in the report');

  const again = cli(['study', '--cohort', cohort, '--out', out, '--config', config, '--seed', '4', '--force']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /reused unchanged stages: keypoints, variants, variant-cv/);
  assert.equal(readFileSync(join(out, 'results.json'), 'utf8'), firstBytes, 'same seed, same numbers');
});

test('a cohort without keypoints.json stops before any training, naming the file; OUT is not made', () => {
  const dir = join(work, 'no-keypoints');
  cpSync(cohort, dir, { recursive: true });
  rmSync(join(dir, 'keypoints.json'));
  const out = join(work, 'out-no-keypoints');
  const r = cli(['study', '--cohort', dir, '--out', out, '--config', config]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /keypoints\.json: not found; the image models need L1-L5 keypoints/);
  assert.doesNotMatch(r.stderr, /landmarks train|CoxPH|DeepSurv/, 'nothing was trained');
  assert.ok(!existsSync(out));
});

test('one unreadable radiograph leaves out that patient, named by line in the notes and counted in the flow', () => {
  const dir = join(work, 'one-broken');
  cpSync(cohort, dir, { recursive: true });
  const lines = readFileSync(join(dir, 'cohort.csv'), 'utf8').split('\n');
  const header = lines[0].split(',');
  // The first censored training row.
  const k = lines.findIndex((l, i) => i > 0 && l.split(',')[header.indexOf('split')] === 'train' && l.split(',')[header.indexOf('fracture')] === '0');
  writeFileSync(join(dir, lines[k].split(',')[header.indexOf('image')]), 'not a radiograph');
  const out = join(work, 'out-one-broken');
  const r = cli(['study', '--cohort', dir, '--out', out, '--config', config]);
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
  assert.deepEqual(results.cohort.excluded, [{ reason: 'radiograph cannot be read', n: 1 }]);
  assert.ok(results.notes.some((n) => n.startsWith(`cohort.csv line ${k + 1}: the radiograph cannot be read`)), results.notes.join('\n'));
});
