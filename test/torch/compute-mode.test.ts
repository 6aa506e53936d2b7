// The compute mode (src/torch/compute-mode.ts): the reproducible default pins libtorch's kernels (AVX2
// where the CPU has it) whatever the environment asks for, so the same seed gives the same weights
// under ATEN_CPU_CAPABILITY=default and =avx2, on one core or two; --fast lets them through (and then,
// on a CPU with AVX2, the weights differ: the test would notice a pin that does nothing). The record
// says which mode ran. The keypoint detector trains on a fixed two threads, so the same holds for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cli, FAST_FIT, smallCohort } from '../models/image/fixtures.js';
import { computeFromArgv } from '../../src/cli/compute-options.js';

const hasAvx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

function run(args: string[], capability: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ATEN_CPU_CAPABILITY: capability };
  delete env.SPINESURV_COMPUTE;
  delete env.SPINESURV_THREADS;
  delete env.SPINESURV_PINNED;
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('engine info: the reproducible mode runs its pinned kernels whatever ATEN_CPU_CAPABILITY says; --fast runs what it says', () => {
  const info = (extra: string[], capability: string) => {
    const r = run(['engine', 'info', '--json', ...extra], capability);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { compute: { mode: string; cpu_capability: string; onednn_max_isa: string | null; intra_op_threads: number; solo_job_threads: number } }).compute;
  };
  const pinned = info([], hasAvx2 ? 'default' : 'avx2');
  assert.equal(pinned.mode, 'reproducible');
  assert.equal(pinned.cpu_capability, hasAvx2 ? 'avx2' : 'default');
  assert.equal(pinned.solo_job_threads, 2);
  assert.equal(pinned.onednn_max_isa, 'AVX2');
  assert.equal(pinned.intra_op_threads, 1);
  const fast = info(['--fast', '--threads', '2'], hasAvx2 ? 'avx2' : 'default');
  assert.equal(fast.mode, 'fast');
  assert.equal(fast.cpu_capability, hasAvx2 ? 'avx2' : 'default');
  assert.equal(fast.intra_op_threads, 2);
});

test('the same seed gives the same weights under ATEN_CPU_CAPABILITY=default and =avx2 in the reproducible mode (an ensemble on two processes)', async () => {
  const { cohort, patches, dir } = await smallCohort(160, 4);
  const fit = (capability: string, extra: string[], name: string) => {
    const out = join(dir, name);
    const args = ['imagesurv', 'fit', '--cohort', cohort, '--variant', patches, '--out', out, ...FAST_FIT, '--ensemble', '2', '--epochs', '1', '--clinical', '1', '--seed', '2', ...extra];
    const r = run(args, capability);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { weights_sha256: string }).weights_sha256;
  };
  const a = fit('default', [], 'a');
  const b = fit('avx2', ['--threads', '2'], 'b');
  const c = fit('avx2', ['--threads', '1'], 'c');
  assert.equal(a, b, 'the kernel level or the cores changed the weights');
  assert.equal(b, c, 'the thread count changed the weights');
  if (hasAvx2) {
    const fastDefault = fit('default', ['--fast', '--threads', '1'], 'd');
    const fastAvx2 = fit('avx2', ['--fast', '--threads', '1'], 'e');
    assert.notEqual(fastDefault, fastAvx2, 'with --fast the kernels should differ on an AVX2 machine (else this test proves nothing)');
  }
});

test("a --fast child of a reproducible process does not inherit the parent's pins", () => {
  const env: NodeJS.ProcessEnv = { ...process.env, SPINESURV_COMPUTE: 'reproducible', SPINESURV_PINNED: '1', ATEN_CPU_CAPABILITY: 'default', DNNL_MAX_CPU_ISA: 'AVX2' };
  const r = spawnSync(process.execPath, [cli, 'engine', 'info', '--json', '--fast'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const compute = (JSON.parse(r.stdout) as { compute: { mode: string; cpu_capability: string; onednn_max_isa: string | null } }).compute;
  assert.equal(compute.mode, 'fast');
  assert.equal(compute.onednn_max_isa, null);
  assert.equal(compute.cpu_capability, hasAvx2 ? 'avx2' : 'default');
});

test('--fast and --threads are read before the command loads; a bad count is a usage error', () => {
  assert.deepEqual(computeFromArgv(['--cohort', 'x', '--fast', '--threads', '3']), { mode: 'fast', threads: 3 });
  assert.deepEqual(computeFromArgv(['--threads=2']), { threads: 2 });
  assert.deepEqual(computeFromArgv(['--', '--fast']), {});
  assert.throws(() => computeFromArgv(['--threads', '0']), /--threads must be an integer >= 1/);
  const r = run(['engine', 'info', '--threads', 'two'], 'default');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--threads must be an integer >= 1, got "two"/);
});

test("the keypoint detector trains to the same weights on one core as on two, under any ATEN_CPU_CAPABILITY (its two threads are fixed, not the cores)", async () => {
  const { cohort, dir } = await smallCohort(60, 6);
  const train = (capability: string, cores: string, name: string) => {
    const out = join(dir, name);
    const env: NodeJS.ProcessEnv = { ...process.env, ATEN_CPU_CAPABILITY: capability };
    delete env.SPINESURV_COMPUTE;
    delete env.SPINESURV_THREADS;
    delete env.SPINESURV_PINNED;
    const r = spawnSync('taskset', ['-c', cores, process.execPath, cli, 'landmarks', 'train', '--cohort', cohort, '--out', out, '--size', '64', '--epochs', '2', '--seed', '4'], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return createHash('sha256').update(readFileSync(join(out, 'weights.safetensors'))).digest('hex');
  };
  const twoCores = availableParallelism() >= 2 ? '0,1' : '0';
  const a = train('default', '0', 'one-core');
  const b = train('avx2', twoCores, 'two-cores');
  assert.equal(a, b, 'the cores or the kernel level the environment asked for changed the detector');
  rmSync(dir, { recursive: true, force: true });
});
