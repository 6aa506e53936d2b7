/**
 * The image half's checks on a small synthetic cohort (radiographs written by `synth`, read back by
 * the imaging reader): keypoints.json missing or covering no training radiograph stops with a message
 * naming the file; one unreadable radiograph leaves out that patient, named by cohort.csv line and
 * counted in the flow; a split with no readable radiograph stops.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCohort } from '../../src/synth/index.js';
import { loadCohort, withoutRows } from '../../src/study/cohort.js';
import { DEFAULT_CONFIG } from '../../src/study/config.js';
import { checkAnnotations, checkImages } from '../../src/study/images.js';
import { InputError } from '../../src/util/errors.js';

let work: string;
let source: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-images-'));
  source = join(work, 'source');
  await generateCohort({ out: source, patients: 160, size: 48, seed: 3, workers: 0 });
});

after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh copy of the cohort to break. */
function copy(name: string): string {
  const dir = join(work, name);
  cpSync(source, dir, { recursive: true });
  return dir;
}

test('annotations: every training radiograph of a synth cohort is covered; the test split is counted, not used', () => {
  const cohort = loadCohort(source, DEFAULT_CONFIG);
  const coverage = checkAnnotations(cohort, 'keypoints.json');
  assert.equal(coverage.trainingAnnotated.size, cohort.flow.bySplit.train.n);
  assert.equal(coverage.testAnnotated, cohort.flow.bySplit.test.n);
  const first = cohort.rows.find((r) => r.split === 'train')!;
  const truth = JSON.parse(readFileSync(join(source, 'keypoints.json'), 'utf8'));
  const image = truth.images.find((i: { file_name: string }) => i.file_name === first.image);
  const annotation = truth.annotations.find((a: { image_id: number }) => a.image_id === image.id);
  // The synthetic file puts the top-left pixel's centre at (0, 0): read in the COCO convention, +0.5.
  const xy = (annotation.keypoints as number[]).filter((_, i) => i % 3 !== 2).map((v) => v + 0.5);
  assert.deepEqual(Array.from(coverage.trainingAnnotated.get(first.line)!.keypoints!), xy);
});

test('file_name values are matched to the image column as written, separators and a leading ./ aside', () => {
  const dir = copy('windows-names');
  const file = JSON.parse(readFileSync(join(dir, 'keypoints.json'), 'utf8'));
  file.images = file.images.map((i: { file_name: string }) => ({ ...i, file_name: `./${i.file_name.replace(/\//g, '\\')}` }));
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(file));
  const cohort = loadCohort(dir, DEFAULT_CONFIG);
  assert.equal(checkAnnotations(cohort, 'keypoints.json').trainingAnnotated.size, cohort.flow.bySplit.train.n);
});

test('a file_name that names no image of the cohort stops the study, listing the entry', () => {
  const dir = copy('unmatched-name');
  const file = JSON.parse(readFileSync(join(dir, 'keypoints.json'), 'utf8'));
  const renamed = file.images[3].file_name.replace('images/', 'radiographs/');
  file.images[3].file_name = renamed;
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(file));
  assert.throws(
    () => checkAnnotations(loadCohort(dir, DEFAULT_CONFIG), 'keypoints.json'),
    (error: unknown) => error instanceof InputError && error.message.startsWith(`${join(dir, 'keypoints.json')}: 1 of ${file.images.length} file_name values name no image of ${join(dir, 'cohort.csv')}: images[3] "${renamed}"`),
  );
});

test('a cohort without keypoints.json stops, naming the file', () => {
  const dir = copy('no-keypoints');
  rmSync(join(dir, 'keypoints.json'));
  assert.throws(() => checkAnnotations(loadCohort(dir, DEFAULT_CONFIG), 'keypoints.json'), /keypoints\.json: not found; the image models need L1-L5 keypoints/);
});

test('keypoints.json that covers no training radiograph stops, naming the file', () => {
  const dir = copy('test-only-keypoints');
  const cohort = loadCohort(dir, DEFAULT_CONFIG);
  const testFiles = new Set(cohort.rows.filter((r) => r.split === 'test').map((r) => r.image));
  const file = JSON.parse(readFileSync(join(dir, 'keypoints.json'), 'utf8'));
  const keep = new Set(file.images.filter((i: { file_name: string }) => testFiles.has(i.file_name)).map((i: { id: number }) => i.id));
  file.annotations = file.annotations.filter((a: { image_id: number }) => keep.has(a.image_id));
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(file));
  assert.throws(() => checkAnnotations(cohort, 'keypoints.json'), new RegExp(`annotates none of the ${cohort.flow.bySplit.train.n} training-split radiographs`));
  // Annotations with a keypoint left unlabelled (v = 0) do not count either.
  file.annotations = JSON.parse(readFileSync(join(source, 'keypoints.json'), 'utf8')).annotations.map((a: { keypoints: number[] }) => ({ ...a, keypoints: a.keypoints.map((v, k) => (k === 14 ? 0 : v)) }));
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(file));
  assert.throws(() => checkAnnotations(cohort, 'keypoints.json'), /annotates none/);
});

test('one unreadable radiograph leaves out that patient, named by line and counted in the flow', async () => {
  const dir = copy('one-broken');
  const cohort = loadCohort(dir, DEFAULT_CONFIG);
  const victim = cohort.rows.find((r) => r.split === 'train' && r.event === 0)!;
  const bytes = readFileSync(join(dir, victim.image!));
  writeFileSync(join(dir, victim.image!), bytes.subarray(0, 400)); // truncated inside the header
  const check = await checkImages(cohort);
  assert.equal(check.unreadable.length, 1);
  assert.equal(check.unreadable[0].line, victim.line);
  assert.equal(check.readable.length, cohort.rows.length - 1);
  assert.doesNotMatch(check.unreadable[0].reason, /SYN\d+/, 'no patient identifier in the reason');
  const kept = withoutRows(cohort, new Set([victim.line]), 'radiograph cannot be read');
  assert.equal(kept.flow.analysed, cohort.flow.analysed - 1);
  assert.equal(kept.flow.bySplit.train.n, cohort.flow.bySplit.train.n - 1);
  assert.deepEqual(kept.flow.excluded, [{ reason: 'radiograph cannot be read', n: 1 }]);
});

test('a split whose radiographs cannot be read stops before anything is trained', async () => {
  const dir = copy('all-test-broken');
  const cohort = loadCohort(dir, DEFAULT_CONFIG);
  for (const r of cohort.rows.filter((row) => row.split === 'test')) writeFileSync(join(dir, r.image!), 'not a radiograph');
  await assert.rejects(checkImages(cohort), new RegExp(`none of the ${cohort.flow.bySplit.test.n} test-split radiographs can be read \\(e\\.g\\. line \\d+: `));
});
