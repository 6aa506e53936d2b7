// HRNet: the same small network built in PyTorch (fixtures/hrnet_reference.py, run at test time with
// Debian's python3-torch) loads here by parameter name, and the heatmaps agree in eval and train mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, liveTensorCount, noGrad, scope } from '../../src/torch/index.js';
import { HRNet, hrnetW32Config, type HRNetConfig } from '../../src/landmarks/hrnet.js';

const script = fileURLToPath(new URL('../../../test/landmarks/fixtures/hrnet_reference.py', import.meta.url));

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

test('HRNet matches the same network in PyTorch: names, state-dict order and heatmaps (1e-4 relative)', () => {
  const config: HRNetConfig = {
    inChannels: 1, numJoints: 5, width: 4, stemChannels: 8, layer1Planes: 4, layer1Blocks: 2,
    stages: [{ modules: 1, blocks: 1 }, { modules: 2, blocks: 1 }, { modules: 2, blocks: 2 }],
  };
  const dir = mkdtempSync(join(tmpdir(), 'hrnet-ref-'));
  try {
    const run = spawnSync('/usr/bin/python3', [script, JSON.stringify({ ...config, batch: 2, size: 64, seed: 3 }), dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const names = JSON.parse(run.stdout) as string[];
    const net = new HRNet(config);
    assert.deepEqual([...net.stateDict().keys()], names);
    const weights = loadSafetensors(join(dir, 'weights.safetensors'));
    net.loadStateDict(weights, true);
    for (const t of weights.values()) t.dispose();
    const io = loadSafetensors(join(dir, 'io.safetensors'));
    const x = io.get('x')!;
    const before = liveTensorCount();
    net.eval();
    const yEval = scope(() => noGrad(() => net.forward(x)));
    assert.deepEqual(yEval.shape, [2, 5, 16, 16]);
    assert.ok(maxRelativeError(yEval.toFloat32Array(), io.get('eval')!.toFloat32Array()) < 1e-4);
    net.train();
    const yTrain = scope(() => noGrad(() => net.forward(x)));
    assert.ok(maxRelativeError(yTrain.toFloat32Array(), io.get('train')!.toFloat32Array()) < 1e-4);
    yEval.dispose();
    yTrain.dispose();
    assert.equal(liveTensorCount(), before, 'forward leaks no tensors');
    for (const t of io.values()) t.dispose();
    net.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HRNet-W32 has the reference parameter count (28.5 M for 17 joints, 3-channel input)', () => {
  // The reference reports 28.5 M parameters for pose_hrnet_w32 (COCO, 17 joints).
  const net = new HRNet(hrnetW32Config(3, 17));
  const count = net.parameterCount();
  assert.ok(Math.abs(count - 28.5e6) < 0.05e6, `parameters ${count}`);
  assert.ok(net.stateDict().has('stage4.2.fuse_layers.0.3.0.weight'));
  assert.ok(net.stateDict().has('transition3.3.0.0.weight'));
  assert.ok(net.stateDict().has('stage4.1.fuse_layers.3.0.2.0.weight'));
  net.dispose();
});

test('--init: PyTorch weights load by name into the cpu profile network; RGB conv1 filters are summed for a grey input', async () => {
  const { cpuProfile } = await import('../../src/landmarks/profiles.js');
  const { loadInitWeights } = await import('../../src/landmarks/train.js');
  const config = cpuProfile().network;
  const dir = mkdtempSync(join(tmpdir(), 'hrnet-init-'));
  try {
    const run = spawnSync('/usr/bin/python3', [script, JSON.stringify({ ...config, inChannels: 3, batch: 1, size: 64, seed: 4 }), dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const net = new HRNet(config);
    const { loaded, skipped } = loadInitWeights(net, join(dir, 'weights.safetensors'));
    const source = loadSafetensors(join(dir, 'weights.safetensors'));
    assert.equal(loaded, source.size);
    assert.deepEqual(skipped, []);
    const own = net.stateDict();
    for (const [name, t] of source) {
      const expected = name === 'conv1.weight' ? t.sum(1, true) : t;
      assert.deepEqual(own.get(name)!.toArray(), expected.toArray(), name);
    }
    for (const t of source.values()) t.dispose();
    net.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
