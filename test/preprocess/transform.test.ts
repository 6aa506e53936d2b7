import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, mapPointBack, mapPointForward, outputLayout, warpHeatmapBack } from '../../src/preprocess/index.js';
import { transformFromMatrices } from '../../src/preprocess/transform.js';
import { Random } from '../../src/util/random.js';

const KP = Float64Array.from([150, 100, 170, 160, 195, 222, 225, 280, 262, 335]);

test('points mapped forward and back return within 0.01 px, for the full image and every patch', () => {
  const rng = new Random(3);
  for (const variant of ['full-l1l5', 'full-l1l4', 'patches'] as const) {
    const t = transformFromMatrices(outputLayout(KP, defaultParams(variant, { size: 384 })).matrices);
    for (let c = 0; c < (variant === 'patches' ? 5 : 1); c++) {
      for (let i = 0; i < 50; i++) {
        const p: [number, number] = [rng.uniform() * 3000, rng.uniform() * 2500];
        const q = mapPointBack(t, mapPointForward(t, p, c), c);
        assert.ok(Math.hypot(q[0] - p[0], q[1] - p[1]) < 0.01, `${variant} channel ${c}: ${p} -> ${q}`);
      }
    }
  }
});

test('a heatmap warps back onto the radiograph: a hot output pixel lands where its centre maps back', () => {
  const rows = 500;
  const columns = 400;
  const side = 64;
  const t = transformFromMatrices(outputLayout(KP, defaultParams('full-l1l5', { size: side })).matrices);
  const heat = new Float32Array(side * side);
  // A 3x3 block centred on output pixel (40, 20): its centre is (40.5, 20.5).
  for (let y = 19; y <= 21; y++) for (let x = 39; x <= 41; x++) heat[y * side + x] = 1;
  const back = warpHeatmapBack(heat, side, t, rows, columns);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const w = back[y * columns + x];
      sw += w;
      sx += w * (x + 0.5);
      sy += w * (y + 0.5);
    }
  }
  const expected = mapPointBack(t, [40.5, 20.5]);
  assert.ok(Math.hypot(sx / sw - expected[0], sy / sw - expected[1]) < 0.5, `centroid ${sx / sw}, ${sy / sw} vs ${expected}`);
  // Far from the spine nothing is hot.
  assert.equal(back[10 * columns + 390], 0);
  // Patches: five channels, the larger value wins where they overlap; L3's patch centre maps onto the L3 keypoint.
  const tp = transformFromMatrices(outputLayout(KP, defaultParams('patches', { patchSize: 32 })).matrices);
  const heat5 = new Float32Array(5 * 32 * 32);
  heat5.fill(0.25, 2 * 1024, 3 * 1024);
  const back5 = warpHeatmapBack(heat5, 32, tp, rows, columns);
  assert.ok(Math.abs(back5[Math.floor(KP[5]) * columns + Math.floor(KP[4])] - 0.25) < 1e-6);
  assert.equal(back5[Math.floor(KP[1]) * columns + Math.floor(KP[0])], 0);
});
