// One fold of the variant comparison (src/study/variant-fold.ts) in a child process of its own gives
// bit for bit the scores it gives here, so the study may fit the folds on every core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CLINICAL_COLUMNS, DEFAULT_IMAGE_CONFIG, readImageCohortRows, type ImageModelConfig } from '../../src/models/image/index.js';
import { fitAndScoreFold, fitAndScoreFoldInProcess } from '../../src/study/variant-fold.js';
import { smallCohort } from '../models/image/fixtures.js';

const CONFIG: ImageModelConfig = {
  ...DEFAULT_IMAGE_CONFIG, ensemble: 1, inputSize: 32, clinicalModel: 0, encoder: { arch: 'resnet18', width: 4 }, head: { ...DEFAULT_IMAGE_CONFIG.head, width: 8 },
  training: { ...DEFAULT_IMAGE_CONFIG.training, epochs: 1, batchSize: 16 },
};

test('a fold fitted in a child process scores as the same fold fitted here', async () => {
  const { dir, cohort, patches } = await smallCohort(300, 11);
  const rows = readImageCohortRows(cohort, CLINICAL_COLUMNS[0], 'train');
  const job = { folder: patches, config: CONFIG, seed: 1004, fitRows: rows.filter((_, i) => i % 4 !== 0), heldRows: rows.filter((_, i) => i % 4 === 0) };
  const here = fitAndScoreFold(job);
  const there = await fitAndScoreFoldInProcess(job);
  assert.equal(here.length, job.heldRows.length);
  assert.ok(here.every(Number.isFinite));
  assert.deepEqual(there, here);
  rmSync(dir, { recursive: true, force: true });
});
