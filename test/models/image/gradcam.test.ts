// Grad-CAM: the formula against a hand computation on a tiny network; Spearman by hand. Mapping a patch heatmap back onto the radiograph is preprocess's
// warpHeatmapBack (test/preprocess/transform.test.ts); the overlay is written in predict-cli.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, liveTensorCount, tensor } from '../../../src/torch/index.js';
import { gradCamFromMaps } from '../../../src/models/image/gradcam.js';
import { spearman } from '../../../src/models/image/spearman.js';

test('Grad-CAM matches a hand computation: maps A = relu(conv(x)), y = sum_k v_k (mean A^k)^2', () => {
  const before = liveTensorCount();
  const x = [0.5, -1, 2, 1.5, 0, -0.5, 1, 2, -1]; // 3 x 3 image
  const w = [[1, -1, 0.5, 2], [-0.5, 1, 1, -1]]; // two 2 x 2 kernels
  const v = [0.7, -1.3];
  const weight = tensor(w.flat(), [2, 1, 2, 2], { requiresGrad: true });
  const cam = gradCamFromMaps(() => {
    const maps = F.conv2d(tensor(x, [1, 1, 3, 3]), weight).relu();
    const m = maps.mean([2, 3]); // (1, 2)
    const risk = m.mul(m).mul(tensor(v, [1, 2])).sum(1, true);
    return { risk, maps };
  }, [weight]);
  // By hand: A^k_ij = relu(sum_ab w_k[a,b] x[i+a, j+b]); alpha_k = 2 v_k m_k / 4; cam = relu(sum_k alpha_k A^k).
  const A = w.map((k) => [0, 1].flatMap((i) => [0, 1].map((j) => Math.max(0, k[0] * x[i * 3 + j] + k[1] * x[i * 3 + j + 1] + k[2] * x[(i + 1) * 3 + j] + k[3] * x[(i + 1) * 3 + j + 1]))));
  const m = A.map((a) => a.reduce((s, q) => s + q, 0) / 4);
  const alpha = v.map((vk, k) => (2 * vk * m[k]) / 4);
  const expected = [0, 1, 2, 3].map((p) => Math.max(0, alpha[0] * A[0][p] + alpha[1] * A[1][p]));
  assert.equal(cam.count, 1);
  assert.deepEqual([cam.h, cam.w], [2, 2]);
  for (let p = 0; p < 4; p++) assert.ok(Math.abs(cam.cams[p] - expected[p]) < 1e-6, `cam[${p}] ${cam.cams[p]} vs ${expected[p]}`);
  assert.ok(Math.abs(cam.risk - (v[0] * m[0] ** 2 + v[1] * m[1] ** 2)) < 1e-6);
  assert.equal(weight.grad, null, 'parameter gradients are cleared afterwards');
  weight.dispose();
  assert.equal(liveTensorCount(), before);
});

test('spearman: mid-ranks for ties, a hand-worked case', () => {
  // x ranks 1, 2.5, 2.5, 4; y ranks 2, 1, 4, 3 -> Pearson of the ranks = 0.3162278 (by hand: 1.5 / sqrt(4.5 * 5))
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [20, 10, 40, 30]) - 1.5 / Math.sqrt(4.5 * 5)) < 1e-12);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
});
