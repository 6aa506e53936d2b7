// kill -9 after the first epoch's checkpoint, then --resume: the weights are byte for byte those of an
// uninterrupted run with the same seed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cli, tinyCohort } from './fixtures.js';

const { dir, cohort } = tinyCohort(40, 64, 5);
after(() => rmSync(dir, { recursive: true, force: true }));
const common = ['--size', '128', '--epochs', '4', '--seed', '7', '--threads', '1'];

function killAfterFirstCheckpoint(out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'landmarks', 'train', '--cohort', cohort, '--out', out, ...common], { stdio: 'ignore' });
    const checkpoint = join(`${out}.partial`, 'checkpoint-0.safetensors');
    const timer = setInterval(() => {
      if (existsSync(checkpoint)) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal });
    });
  });
}

test('resume after SIGKILL gives the same weights as an uninterrupted run', async () => {
  const whole = join(dir, 'whole');
  const r = cli(['landmarks', 'train', '--cohort', cohort, '--out', whole, ...common]);
  assert.equal(r.status, 0, r.stderr);

  const killed = join(dir, 'killed');
  const k = await killAfterFirstCheckpoint(killed);
  assert.equal(k.signal, 'SIGKILL', 'the run was killed before it finished');
  assert.ok(!existsSync(join(killed, 'model.json')), 'no model folder from a killed run');
  const again = cli(['landmarks', 'train', '--cohort', cohort, '--out', killed, ...common]);
  assert.equal(again.status, 2, 'without --resume an interrupted run is not overwritten silently');
  assert.match(again.stderr, /--resume/);
  const resumed = cli(['landmarks', 'train', '--cohort', cohort, '--out', killed, ...common, '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resumed after epoch [123]/);
  const a = readFileSync(join(whole, 'weights.safetensors'));
  const b = readFileSync(join(killed, 'weights.safetensors'));
  assert.equal(Buffer.compare(a, b), 0, 'weights differ');
  const ha = JSON.parse(readFileSync(join(whole, 'model.json'), 'utf8')).training.history;
  const hb = JSON.parse(readFileSync(join(killed, 'model.json'), 'utf8')).training.history;
  assert.deepEqual(hb, ha);
});
