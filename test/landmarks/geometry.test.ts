// Geometry and codec: letterbox + area reduction + resampling are inverted exactly (0.01 px on the
// original grid), and DARK decoding finds a Gaussian's sub-pixel centre (0.05 px).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, augmentation, compose, invert, letterbox, inputToHeatmap } from '../../src/landmarks/geometry.js';
import { decodeHeatmaps, encodeHeatmaps } from '../../src/landmarks/codec.js';
import { inputBatch, prepareImage } from '../../src/landmarks/image-input.js';
import type { Radiograph } from '../../src/imaging/radiograph.js';
import { Random } from '../../src/util/random.js';

function radiograph(columns: number, rows: number, pixels: Float32Array): Radiograph {
  return {
    pixels, rows, columns, bitsStored: 12, photometric: 'MONOCHROME2', inversion: null, transferSyntax: 'test', pixelSpacing: null,
    spacingSource: null, viewPosition: null, patientOrientation: null, laterality: null, bodyPart: null, modality: null,
    window: { center: 0.5, width: 1, fromFile: false }, warnings: [],
  };
}

test('letterbox by hand: a 200x100 image in a 64 px input', () => {
  const m = letterbox(200, 100, 64);
  // scale 0.32; the 32 px tall image is centred: 16 px of padding above.
  assert.deepEqual(applyAffine(m, 0, 0), [0, 16]);
  assert.deepEqual(applyAffine(m, 200, 100), [64, 48]);
  const [x, y] = applyAffine(invert(m), 32, 32);
  assert.ok(Math.abs(x - 100) < 1e-12 && Math.abs(y - 50) < 1e-12);
  // The top-left pixel's centre (0.5, 0.5) is 0.16 px from the corner in the input.
  const c = applyAffine(m, 0.5, 0.5);
  assert.ok(Math.abs(c[0] - 0.16) < 1e-12 && Math.abs(c[1] - 16.16) < 1e-12);
});

test('augmentation maps compose and invert exactly; the flip mirrors x about the centre', () => {
  const a = augmentation(32, 32, 0, 1, 0, 0, true);
  assert.deepEqual(applyAffine(a, 10, 5), [54, 5]);
  const b = augmentation(32, 32, 17, 1.2, 3, -2, true);
  const m = compose(b, letterbox(333, 517, 64));
  const back = applyAffine(invert(m), ...applyAffine(m, 123.4, 400.7));
  assert.ok(Math.abs(back[0] - 123.4) < 1e-9 && Math.abs(back[1] - 400.7) < 1e-9);
});

test('a Gaussian blob drawn on the original grid is found at its place after reduction, letterbox and resampling, and mapped back to 0.01 px', () => {
  const columns = 333, rows = 517, size = 128;
  const cx = 141.37, cy = 302.81, s = 12;
  const pixels = new Float32Array(columns * rows);
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) {
    pixels[j * columns + i] = 100 + 3000 * Math.exp(-((i + 0.5 - cx) ** 2 + (j + 0.5 - cy) ** 2) / (2 * s * s));
  }
  const img = prepareImage(radiograph(columns, rows, pixels), size);
  assert.equal(img.factor, 4);
  const map = compose(augmentation(size / 2, size / 2, 11, 1.1, 2.5, -1.5, true), letterbox(columns, rows, size));
  const x = inputBatch([img], [map], size);
  const v = x.toFloat32Array();
  x.dispose();
  // Intensity-weighted centroid of the blob (background removed) in input coordinates.
  let sw = 0, sx = 0, sy = 0;
  const bg = v.reduce((m, t) => Math.max(m, t), 0) * 0.02;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    const w = Math.max(0, v[j * size + i]! - bg);
    if (v[j * size + i]! > 3 * bg) { sw += w; sx += w * (i + 0.5); sy += w * (j + 0.5); }
  }
  const found = applyAffine(invert(map), sx / sw, sy / sw);
  // Bilinear resampling keeps a smooth blob's centroid to 0.02 original px (measured); the map itself is exact (below).
  assert.ok(Math.hypot(found[0] - cx, found[1] - cy) < 0.03, `resampled blob at ${found}, drawn at ${cx},${cy}`);
  // The coordinate chain itself (input -> heatmap -> input -> original) is exact.
  const toHeat = compose(inputToHeatmap(4), map);
  const back = applyAffine(invert(toHeat), ...applyAffine(toHeat, cx, cy));
  assert.ok(Math.hypot(back[0] - cx, back[1] - cy) < 0.01);
});

test('DARK decodes encoded Gaussians to within 0.05 px (and the whole chain to 0.01 px on a 1024 px image)', () => {
  const rng = new Random(5);
  const shape = { width: 64, height: 64 };
  let worst = 0;
  for (let trial = 0; trial < 200; trial++) {
    const pts = [rng.between(4, 60), rng.between(4, 60), rng.between(4, 60), rng.between(4, 60)];
    const maps = encodeHeatmaps(pts, shape, 2);
    const { points, confidence } = decodeHeatmaps(maps, 2, shape, 2);
    for (let k = 0; k < 4; k++) worst = Math.max(worst, Math.abs(points[k]! - pts[k]!));
    assert.ok(confidence.every((c) => c > 0.8 && c <= 1));
  }
  assert.ok(worst < 0.05, `worst DARK error ${worst} px`);
  // Original 819x1024 keypoint -> 256 input -> 64 heatmap -> decode -> back: 16 original px per heatmap px.
  const toHeat = compose(inputToHeatmap(4), letterbox(819, 1024, 256));
  const p = [431.93, 340.6];
  const h = applyAffine(toHeat, p[0]!, p[1]!);
  const decoded = decodeHeatmaps(encodeHeatmaps(h, shape, 2), 1, shape, 2).points;
  const back = applyAffine(invert(toHeat), decoded[0]!, decoded[1]!);
  assert.ok(Math.hypot(back[0] - p[0]!, back[1] - p[1]!) < 0.01, `chain error ${Math.hypot(back[0] - p[0]!, back[1] - p[1]!)}`);
});

test('DARK: a flat or empty heatmap gives zero confidence and the pixel centre (no NaN)', () => {
  const out = decodeHeatmaps(new Float32Array(2 * 16 * 16), 2, { width: 16, height: 16 }, 2);
  assert.deepEqual(out.confidence, [0, 0]);
  assert.ok(out.points.every((v) => Number.isFinite(v)));
});
