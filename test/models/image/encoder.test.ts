// The image encoder's layout against torchvision itself: resnet18 and resnet50 with fixed random
// weights (and random BatchNorm statistics), loaded through --init's path (first convolution averaged
// to one channel), give torchvision's outputs for the same input to 1e-4 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTensorCount, noGrad, resnet50, scope, setNumThreads, tensor, getNumThreads } from '../../../src/torch/index.js';
import { buildEncoder } from '../../../src/models/image/encoder.js';
import { loadTorchvisionInit } from '../../../src/models/image/init-weights.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// The .py file stays in test/ (tsc copies only .ts); dist/test/... -> test/...
const script = join(here, '..', '..', '..', '..', 'test', 'models', 'image', 'torchvision_reference.py');

test('torchvision resnet18 and resnet50 (random weights, one-channel input) match spinesurv to 1e-4 relative', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-tv-'));
  const threads = getNumThreads();
  try {
    const run = spawnSync('/usr/bin/python3', [script, dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, `torchvision reference failed (needs Debian python3-torch and python3-torchvision): ${run.stderr}`);
    setNumThreads(1);
    const before = liveTensorCount();
    for (const arch of ['resnet18', 'resnet50'] as const) {
      const ref = JSON.parse(readFileSync(join(dir, `${arch}.json`), 'utf8')) as { input: number[]; output: number[]; output_shape: number[] };
      const encoder = buildEncoder({ arch, width: 64 }, 3);
      const { averagedFirstConv } = loadTorchvisionInit(encoder, join(dir, `${arch}.safetensors`));
      assert.equal(averagedFirstConv, true);
      const out = noGrad(() => scope(() => encoder.eval().forward(tensor(Float32Array.from(ref.input), [2, 1, 64, 64])).toFloat64Array()));
      const scale = Math.max(...ref.output.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - ref.output[i]) / scale);
      assert.equal(out.length, ref.output.length);
      assert.ok(worst < 1e-4, `${arch}: largest relative difference ${worst}`);
      encoder.dispose();
    }
    assert.equal(liveTensorCount(), before);
  } finally {
    setNumThreads(threads);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resnet50 has torchvision\'s parameter count and Bottleneck names', () => {
  const r50 = resnet50({ inChannels: 3 });
  assert.equal(r50.parameterCount(), 25_557_032); // torchvision.models.resnet50(): 25,557,032
  const names = [...r50.stateDict().keys()];
  assert.ok(names.includes('layer1.0.conv3.weight'));
  assert.ok(names.includes('layer1.0.downsample.1.running_mean'));
  assert.ok(names.includes('layer4.2.bn3.weight'));
  assert.deepEqual(r50.layers[3]!.modules[0]!.namedChildren().get('conv2')!.parameters()[0]!.shape, [512, 512, 3, 3]);
  r50.dispose();
});

test('--init refuses a file whose shapes do not fit the encoder, naming the tensor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-tv-'));
  try {
    const run = spawnSync('/usr/bin/python3', [script, dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const narrow = buildEncoder({ arch: 'resnet18', width: 16 });
    assert.throws(() => loadTorchvisionInit(narrow, join(dir, 'resnet18.safetensors')), /"conv1.weight" has shape \[64, 1, 7, 7\].*\[16, 1, 7, 7\]/);
    const r50 = buildEncoder({ arch: 'resnet50', width: 64 });
    assert.throws(() => loadTorchvisionInit(r50, join(dir, 'resnet18.safetensors')), /"layer1.0.conv1.weight" has shape \[64, 64, 3, 3\], the encoder needs \[64, 64, 1, 1\]/);
    narrow.dispose();
    r50.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
