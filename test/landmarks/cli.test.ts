// landmarks train / predict / evaluate from the command line on a tiny cohort: the files and JSON
// shapes of CLI.md, and exit 2 naming the file for a missing or corrupt model, unknown images and an
// unreadable image; a cohort with an unreadable image predicts the rest and lists the failure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tinyCohort } from './fixtures.js';
import { encodePng8, readRadiograph, windowToBytes, writeDicom } from '../../src/imaging/index.js';

const { dir, cohort } = tinyCohort(24, 64);
after(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'model');

test('train writes a model folder; predict on the test split writes COCO results; evaluate reports AP and mm errors', () => {
  const t = cli(['landmarks', 'train', '--cohort', cohort, '--out', model, '--size', '64', '--epochs', '1', '--threads', '1', '--json']);
  assert.equal(t.status, 0, t.stderr);
  const summary = JSON.parse(t.stdout);
  assert.equal(summary.profile, 'cpu');
  assert.equal(summary.input_size, 64);
  const meta = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
  assert.equal(meta.kind, 'spinesurv-landmarks');
  assert.equal(meta.format_version, 1);
  assert.deepEqual(meta.keypoints, ['L1', 'L2', 'L3', 'L4', 'L5']);
  assert.ok(existsSync(join(model, 'weights.safetensors')));
  assert.ok(!existsSync(`${model}.partial`), 'checkpoints are removed after a finished run');
  assert.match(t.stderr, /epoch 1\/1 .*loss/);

  const out = join(dir, 'kp.json');
  const p = cli(['landmarks', 'predict', '--model', model, '--cohort', cohort, '--split', 'test', '--out', out, '--json']);
  assert.equal(p.status, 0, p.stderr);
  const results = JSON.parse(readFileSync(out, 'utf8'));
  const truth = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8'));
  const testRows = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n').slice(1).filter((l) => l.endsWith(',test'));
  assert.equal(results.length, testRows.length);
  for (const r of results) {
    assert.deepEqual(Object.keys(r).slice(0, 6), ['image_id', 'file_name', 'category_id', 'keypoints', 'score', 'flags']);
    assert.equal(r.keypoints.length, 15);
    const im = truth.images.find((i: { id: number }) => i.id === r.image_id);
    assert.equal(im.file_name, r.file_name);
  }
  const e = cli(['landmarks', 'evaluate', '--pred', out, '--truth', join(cohort, 'keypoints.json'), '--cohort', cohort, '--split', 'test', '--json']);
  assert.equal(e.status, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  for (const key of ['ap', 'ap50', 'ap75', 'mre_mm', 'sdr_2mm', 'sdr_4mm', 'per_vertebra', 'sigmas', 'area']) assert.ok(key in ev, key);
  assert.deepEqual(Object.keys(ev.per_vertebra), ['L1', 'L2', 'L3', 'L4', 'L5']);
  assert.ok(ev.mre_mm > 0 && Number.isFinite(ev.mre_mm));
});

test('predict --images takes DICOM and PNG files; image ids count from 1 in the order given', async () => {
  const dcm = join(cohort, 'images', readdirFirst(join(cohort, 'images')));
  // The same radiograph as an 8-bit PNG through its window, as an archive may hold it.
  const r = await readRadiograph(dcm);
  const png = join(dir, 'x.png');
  writeFileSync(png, encodePng8(windowToBytes(r.pixels, r.window), r.columns, r.rows));
  const out = join(dir, 'files.json');
  const p = cli(['landmarks', 'predict', '--model', model, '--images', dcm, png, '--out', out]);
  assert.equal(p.status, 0, p.stderr);
  const results = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(results.map((r: { image_id: number; file_name: string }) => [r.image_id, r.file_name]), [[1, dcm], [2, png]]);
});

test('predict applies the scorers\' input rules: a blank DICOM and a striped PNG are refused before the detector, by name and reason', async () => {
  const dcm = join(cohort, 'images', readdirFirst(join(cohort, 'images')));
  const r = await readRadiograph(dcm);
  const blank = join(dir, 'blank.dcm');
  writeDicom(blank, { pixels: new Uint16Array(r.rows * r.columns), rows: r.rows, columns: r.columns, bitsStored: 12, pixelSpacing: [1, 1] });
  // A diagonal stripe pattern: all of its variance is at the scale of a few pixels, nothing like anatomy.
  const stripes = join(dir, 'stripes.png');
  writeFileSync(stripes, encodePng8(new Uint8Array(64 * 51).map((_, i) => (i * 7) % 256), 51, 64));
  const out = join(dir, 'refused.json');
  const p = cli(['landmarks', 'predict', '--model', model, '--images', blank, dcm, stripes, '--out', out, '--json']);
  assert.equal(p.status, 0, p.stderr);
  const summary = JSON.parse(p.stdout);
  assert.deepEqual(summary.refused.map((x: { image_id: number; file_name: string }) => [x.image_id, x.file_name]), [[1, blank], [3, stripes]]);
  assert.match(summary.refused[0].reasons[0], /^blank: every pixel has the value 0/);
  assert.match(summary.refused[1].reasons[0], /^no anatomy/);
  assert.match(p.stderr, new RegExp(`${blank}: not a lateral lumbar radiograph \\(blank`));
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')).map((x: { file_name: string }) => x.file_name), [dcm]);
  // Nothing left to predict: exit 2, one line.
  const q = cli(['landmarks', 'predict', '--model', model, '--images', blank, '--out', join(dir, 'none.json')]);
  assert.equal(q.status, 2);
  assert.match(q.stderr.trim().split('\n').at(-1)!, /none of the 1 images could be predicted \(0 unreadable, 1 not a lateral lumbar radiograph\)/);
});

function readdirFirst(path: string): string {
  return readdirSync(path).sort()[0]!;
}

test('a cohort with an unreadable image predicts the rest and lists the failure; --images with it exits 2 naming it', () => {
  const copy = join(dir, 'broken');
  cpSync(cohort, copy, { recursive: true });
  const testRow = readFileSync(join(copy, 'cohort.csv'), 'utf8').trim().split('\n').find((l) => l.endsWith(',test'))!;
  const image = testRow.split(',')[1]!;
  writeFileSync(join(copy, image), 'not an image');
  const out = join(dir, 'broken.json');
  const p = cli(['landmarks', 'predict', '--model', model, '--cohort', copy, '--out', out, '--json']);
  assert.equal(p.status, 0, p.stderr);
  const summary = JSON.parse(p.stdout);
  assert.equal(summary.failures.length, 1);
  assert.equal(summary.failures[0].file_name, image);
  assert.match(p.stderr, new RegExp(`skipped ${image}`));
  const results = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(results.length >= 1 && results.every((r: { file_name: string }) => r.file_name !== image));
  const q = cli(['landmarks', 'predict', '--model', model, '--images', join(copy, image), '--out', join(dir, 'x.json')]);
  assert.equal(q.status, 2);
  assert.ok(q.stderr.includes(join(copy, image)), q.stderr);
  assert.equal(q.stderr.trim().split('\n').length, 1);
});

test('missing or corrupt model files exit 2 naming the file', () => {
  const img = join(cohort, 'images', readdirFirst(join(cohort, 'images')));
  const missing = cli(['landmarks', 'predict', '--model', join(dir, 'nope'), '--images', img, '--out', join(dir, 'y.json')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\/model\.json: missing/);
  const bad = join(dir, 'badmodel');
  cpSync(model, bad, { recursive: true });
  writeFileSync(join(bad, 'weights.safetensors'), readFileSync(join(model, 'weights.safetensors')).subarray(0, 100));
  const corrupt = cli(['landmarks', 'predict', '--model', bad, '--images', img, '--out', join(dir, 'y.json')]);
  assert.equal(corrupt.status, 2);
  assert.ok(corrupt.stderr.includes(join(bad, 'weights.safetensors')), corrupt.stderr);
  copyFileSync(join(model, 'weights.safetensors'), join(bad, 'weights.safetensors'));
  writeFileSync(join(bad, 'model.json'), '{"kind": "something-else"}');
  const wrongKind = cli(['landmarks', 'predict', '--model', bad, '--images', img, '--out', join(dir, 'y.json')]);
  assert.equal(wrongKind.status, 2);
  assert.ok(wrongKind.stderr.includes(join(bad, 'model.json')), wrongKind.stderr);
});

test('evaluate: a results file naming images the truth does not have exits 2 naming the file and the id', () => {
  const pred = join(dir, 'unknown.json');
  writeFileSync(pred, JSON.stringify([{ image_id: 999, file_name: 'x.dcm', category_id: 1, keypoints: Array(15).fill(1), score: 1 }]));
  const e = cli(['landmarks', 'evaluate', '--pred', pred, '--truth', join(cohort, 'keypoints.json')]);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /unknown\.json: image_id 999/);
});

test('train refuses a non-empty folder it did not write, and an unknown profile', () => {
  const r = cli(['landmarks', 'train', '--cohort', cohort, '--out', cohort, '--epochs', '1']);
  assert.equal(r.status, 2);
  const s = cli(['landmarks', 'train', '--cohort', cohort, '--out', join(dir, 'm2'), '--profile', 'huge']);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--profile must be one of cpu, paper/);
});

test('predict on a cohort without keypoints.json: image ids are the cohort.csv rows counted from 1', () => {
  const copy = join(dir, 'unannotated');
  cpSync(cohort, copy, { recursive: true });
  rmSync(join(copy, 'keypoints.json'));
  const out = join(dir, 'unannotated.json');
  const p = cli(['landmarks', 'predict', '--model', model, '--cohort', copy, '--split', 'all', '--out', out]);
  assert.equal(p.status, 0, p.stderr);
  const results = JSON.parse(readFileSync(out, 'utf8'));
  const files = readFileSync(join(copy, 'cohort.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  assert.deepEqual(results.map((r: { image_id: number; file_name: string }) => [r.image_id, r.file_name]), files.map((f, i) => [i + 1, f]));
});

test('LandmarkModel.predict from the library: batched, keypoints in the image, no tensor left behind', async () => {
  const { loadLandmarkModel } = await import('../../src/landmarks/index.js');
  const { readRadiograph } = await import('../../src/imaging/index.js');
  const { liveTensorCount } = await import('../../src/torch/index.js');
  const m = await loadLandmarkModel(model);
  const files = readdirSync(join(cohort, 'images')).sort().slice(0, 3).map((f) => join(cohort, 'images', f));
  const images = await Promise.all(files.map((f) => readRadiograph(f)));
  const before = liveTensorCount();
  const preds = m.predict(images);
  assert.equal(liveTensorCount(), before);
  assert.equal(preds.length, 3);
  preds.forEach((p, i) => {
    assert.equal(p.keypoints.length, 10);
    assert.equal(p.confidence.length, 5);
    assert.ok(p.confidence.every((c) => c >= 0 && c <= 1));
    for (let k = 0; k < 5; k++) {
      assert.ok(p.keypoints[2 * k]! > -images[i]!.columns && p.keypoints[2 * k]! < 2 * images[i]!.columns);
    }
  });
  m.dispose();
  await assert.rejects(loadLandmarkModel(join(dir, 'nowhere')), /nowhere\/model\.json: missing/);
});

test('--folds 2: cross-validation reports each fold and mean ± SD, then trains the final model', () => {
  const out = join(dir, 'cv-model');
  const t = cli(['landmarks', 'train', '--cohort', cohort, '--out', out, '--size', '64', '--epochs', '1', '--folds', '2', '--threads', '1', '--json']);
  assert.equal(t.status, 0, t.stderr);
  const s = JSON.parse(t.stdout);
  assert.equal(s.cv.folds.length, 2);
  assert.deepEqual(s.cv.folds.map((f: { fold: number }) => f.fold), [1, 2]);
  const aps = s.cv.folds.map((f: { ap: number }) => f.ap);
  const mean = (aps[0] + aps[1]) / 2;
  assert.ok(Math.abs(s.cv.ap_mean - mean) < 1e-12);
  assert.ok(Math.abs(s.cv.ap_sd - Math.abs(aps[0] - aps[1]) / Math.SQRT2) < 1e-12);
  assert.equal(s.cv.folds.reduce((n: number, f: { images: number }) => n + f.images, 0), s.images);
  assert.match(t.stderr, /2-fold CV AP .* ± /);
  assert.ok(existsSync(join(out, 'weights.safetensors')));
});
