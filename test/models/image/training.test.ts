// Image model training: no tensors left behind by a fit; a run killed with SIGKILL and resumed ends
// with the same weights as an uninterrupted one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { liveTensorCount } from '../../../src/torch/index.js';
import { fitImageDeepSurv } from '../../../src/models/image/fit.js';
import { readVariantFolder } from '../../../src/models/image/variant-folder.js';
import { readImageCohortRows } from '../../../src/models/image/cohort-rows.js';
import { DEFAULT_IMAGE_CONFIG, CLINICAL_COLUMNS, type ImageModelConfig } from '../../../src/models/image/config.js';
import { FAST_FIT, cli, runCli, smallCohort } from './fixtures.js';

const fixture = smallCohort(120, 3);
after(async () => rmSync((await fixture).dir, { recursive: true, force: true }));

test('training leaves the live tensor count where it was, and the model scores its training rows', async () => {
  const { cohort, patches } = await fixture;
  const variant = readVariantFolder(patches);
  const rows = readImageCohortRows(cohort, CLINICAL_COLUMNS[2], 'train');
  const config: ImageModelConfig = {
    ...DEFAULT_IMAGE_CONFIG, ensemble: 1, inputSize: 32, clinicalModel: 2, encoder: { arch: 'resnet18', width: 4 }, head: { ...DEFAULT_IMAGE_CONFIG.head, width: 8 },
    training: { ...DEFAULT_IMAGE_CONFIG.training, epochs: 2, batchSize: 16, validationFraction: 0.3 },
  };
  const before = liveTensorCount();
  const model = fitImageDeepSurv({ variant, rows, config, seed: 4 });
  assert.equal(model.training!.epochsRun, 2);
  assert.equal(model.trainingRisks.length, rows.length);
  model.dispose();
  assert.equal(liveTensorCount(), before);
  variant.images.dispose();
});

function weightsSha(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weights_sha256: string }).weights_sha256;
}

test('kill -9 during training, then --resume: the same weights as an uninterrupted run of the same seed', async () => {
  const { dir, cohort, patches } = await fixture;
  const args = (out: string) => ['imagesurv', 'fit', '--cohort', cohort, '--variant', patches, '--out', out, ...FAST_FIT, '--epochs', '8', '--patience', '20', '--seed', '9'];
  const whole = join(dir, 'whole');
  const r = runCli(args(whole));
  assert.equal(r.status, 0, r.stderr);

  const killed = join(dir, 'killed');
  const checkpoint = `${killed}.checkpoint.safetensors`;
  const child = spawn(process.execPath, [cli, ...args(killed)], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // Kill as soon as the first checkpoint exists (mid-run: later epochs still to come).
  while (!existsSync(checkpoint)) await new Promise((res) => setTimeout(res, 5));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(existsSync(join(killed, 'model.json')), false, 'the killed run did not finish');

  const resumed = runCli([...args(killed), '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const training = (JSON.parse(readFileSync(join(killed, 'model.json'), 'utf8')) as { training: { resumedFromEpoch: number; epochsRun: number } }).training;
  assert.ok(training.resumedFromEpoch >= 1 && training.resumedFromEpoch < training.epochsRun, `resumed after epoch ${training.resumedFromEpoch} of ${training.epochsRun}`);
  assert.equal(weightsSha(killed), weightsSha(whole));
});

test('--resume refuses a checkpoint made with other settings', async () => {
  const { dir, cohort, patches } = await fixture;
  const out = join(dir, 'other');
  const base = ['imagesurv', 'fit', '--cohort', cohort, '--variant', patches, '--out', out, ...FAST_FIT, '--epochs', '1', '--checkpoint', join(dir, 'other.ckpt')];
  assert.equal(runCli(base).status, 0);
  const r = runCli([...base, '--resume', '--seed', '2', '--force']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /checkpoint was made with other data, settings or seed/);
});
