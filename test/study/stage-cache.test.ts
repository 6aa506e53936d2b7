import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStage, stageKey } from '../../src/study/stage-cache.js';

test('stage keys: key order does not matter, values do', () => {
  assert.equal(stageKey({ a: 1, b: { c: [1, 2], d: 'x' } }), stageKey({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  assert.notEqual(stageKey({ a: 1, b: { c: [1, 2] } }), stageKey({ a: 1, b: { c: [2, 1] } }));
});

test('an unchanged stage is taken from the previous output; a changed input, or a stage that failed, runs again', async () => {
  const work = mkdtempSync(join(tmpdir(), 'spinesurv-stage-'));
  try {
    let runs = 0;
    const fill = (dir: string) => {
      runs++;
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'weights.bin'), `run ${runs}`);
    };
    const first = await runStage('landmarks', { seed: 1, cohort: 'abc' }, { previousOut: null, newOut: join(work, 'out1') }, fill);
    assert.equal(first.reused, false);
    const second = await runStage('landmarks', { seed: 1, cohort: 'abc' }, { previousOut: join(work, 'out1'), newOut: join(work, 'out2') }, fill);
    assert.equal(second.reused, true);
    assert.equal(runs, 1);
    assert.equal(readFileSync(join(second.dir, 'sub', 'weights.bin'), 'utf8'), 'run 1');
    const third = await runStage('landmarks', { seed: 2, cohort: 'abc' }, { previousOut: join(work, 'out2'), newOut: join(work, 'out3') }, fill);
    assert.equal(third.reused, false);
    assert.equal(readFileSync(join(third.dir, 'sub', 'weights.bin'), 'utf8'), 'run 2');
    await assert.rejects(runStage('variants', {}, { previousOut: null, newOut: join(work, 'out4') }, () => {
      throw new Error('killed');
    }), /killed/);
    assert.ok(!existsSync(join(work, 'out4', 'stages', 'variants')), 'a failed stage leaves nothing to reuse');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a stage that other code made is not reused: the key holds the compiled code\'s fingerprint', async () => {
  const work = mkdtempSync(join(tmpdir(), 'spinesurv-stage-'));
  try {
    let runs = 0;
    const fill = (dir: string) => void writeFileSync(join(dir, 'out.txt'), `run ${++runs}`);
    const first = await runStage('keypoints', { seed: 1 }, { previousOut: null, newOut: join(work, 'out1') }, fill);
    const record = JSON.parse(readFileSync(join(first.dir, 'stage.json'), 'utf8'));
    assert.match(record.inputs.code, /^[0-9a-f]{16}$/);
    // The same stage as an older build would have written it: same inputs, another fingerprint.
    const old = join(work, 'old', 'stages', 'keypoints');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'out.txt'), 'old code');
    writeFileSync(join(old, 'stage.json'), JSON.stringify({ stage: 'keypoints', key: stageKey({ stage: 'keypoints', code: '0000000000000000', seed: 1 }), inputs: {} }));
    const rerun = await runStage('keypoints', { seed: 1 }, { previousOut: join(work, 'old'), newOut: join(work, 'out2') }, fill);
    assert.equal(rerun.reused, false);
    assert.equal(readFileSync(join(rerun.dir, 'out.txt'), 'utf8'), 'run 2');
    // Written by this build: reused.
    writeFileSync(join(old, 'stage.json'), JSON.stringify({ stage: 'keypoints', key: stageKey({ stage: 'keypoints', code: record.inputs.code, seed: 1 }), inputs: {} }));
    const again = await runStage('keypoints', { seed: 1 }, { previousOut: join(work, 'old'), newOut: join(work, 'out3') }, fill);
    assert.equal(again.reused, true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
