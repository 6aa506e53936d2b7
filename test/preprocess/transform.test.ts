import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultParams, mapPointBack, mapPointForward, outputLayout, readKeypointSource, warpHeatmapBack } from '../../src/preprocess/index.js';
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

test('keypoint sources: a COCO file in the (0, 0)-centre convention is shifted half a pixel; results lists keep flags; duplicates are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preprocess-kp-'));
  try {
    const coco = {
      info: { coordinates: 'pixels; the centre of the top-left pixel is (0, 0); x = column, y = row' },
      images: [{ id: 7, file_name: 'images/a.dcm' }, { id: 8, file_name: 'images/b.dcm' }, { id: 9, file_name: 'images/c.dcm' }],
      annotations: [
        { image_id: 7, category_id: 1, keypoints: [1, 2, 2, 3, 4, 2, 5, 6, 2, 7, 8, 2, 9, 10, 2] },
        { image_id: 8, category_id: 1, keypoints: [1, 2, 2, 3, 4, 0, 5, 6, 2, 7, 8, 2, 9, 10, 2] },
      ],
      categories: [{ id: 1, name: 'lumbar_spine', keypoints: ['L1', 'L2', 'L3', 'L4', 'L5'] }],
    };
    writeFileSync(join(dir, 'kp.json'), JSON.stringify(coco));
    const src = readKeypointSource(join(dir, 'kp.json'));
    assert.equal(src.format, 'coco-keypoints');
    assert.equal(src.shift, 0.5);
    const a = src.lookup('./images/a.dcm', dir);
    assert.deepEqual(Array.from(a?.keypoints ?? []), [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5]);
    assert.equal(a?.imageId, 7);
    assert.match(src.lookup('images/b.dcm', dir)?.problem ?? '', /keypoint L2 missing/);
    assert.match(src.lookup('images/c.dcm', dir)?.problem ?? '', /no keypoint annotation/);

    const results = [
      { image_id: 1, file_name: join(dir, 'images/a.dcm'), category_id: 1, keypoints: [1, 2, 1, 3, 4, 1, 5, 6, 1, 7, 8, 1, 9, 10, 1], score: 0.9, flags: [] },
      { image_id: 2, file_name: 'images/b.dcm', category_id: 1, keypoints: [1, 2, 1, 3, 4, 1, 5, 6, 1, 7, 8, 1, 9, 10, 1], score: 0.2, flags: ['low_confidence'] },
      { image_id: 3, file_name: 'images/c.dcm', category_id: 1, keypoints: [1, 2, 1], score: 0.9, flags: [] },
      { image_id: 4, file_name: 'images/c.dcm', category_id: 1, keypoints: [1, 2, 1], score: 0.9, flags: [] },
    ];
    writeFileSync(join(dir, 'pred.json'), JSON.stringify(results));
    const pred = readKeypointSource(join(dir, 'pred.json'));
    assert.equal(pred.format, 'coco-results');
    assert.equal(pred.shift, 0);
    // Absolute file names (landmarks predict --images) are matched by path.
    assert.deepEqual(Array.from(pred.lookup('images/a.dcm', dir)?.keypoints ?? []), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(pred.lookup('images/b.dcm', dir)?.problem ?? '', /flagged by the keypoint detector: low_confidence/);
    assert.match(pred.lookup('images/c.dcm', dir)?.problem ?? '', /listed more than once/);

    writeFileSync(join(dir, 'bad.json'), '{"images": []}');
    assert.throws(() => readKeypointSource(join(dir, 'bad.json')), /bad\.json: a COCO keypoints file needs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
