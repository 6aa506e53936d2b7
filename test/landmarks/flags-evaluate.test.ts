// Quality flags and the millimetre metrics, on hand-made points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualityFlags } from '../../src/landmarks/flags.js';
import { evaluateKeypoints } from '../../src/landmarks/evaluate.js';

// A plausible spine: L1..L5 30 px apart going down and slightly right.
const GOOD = [100, 100, 103, 130, 106, 160, 109, 190, 112, 220];
const CONF = [0.9, 0.9, 0.9, 0.9, 0.9];

test('plausible points have no flags', () => {
  assert.deepEqual(qualityFlags(GOOD, CONF), []);
});

test('low confidence names the keypoint and its value', () => {
  const f = qualityFlags(GOOD, [0.9, 0.9, 0.12, 0.9, 0.9]);
  assert.equal(f.length, 1);
  assert.match(f[0]!, /^low_confidence: L3 0\.12 below 0\.3$/);
});

test('L2 and L3 swapped: order flag (and the spacing it breaks)', () => {
  const swapped = [100, 100, 106, 160, 103, 130, 109, 190, 112, 220];
  const f = qualityFlags(swapped, CONF);
  assert.ok(f.some((x) => /^order: L3 is not below L2/.test(x)), f.join(' | '));
});

test('an upside-down spine is flagged', () => {
  const flipped = [112, 220, 109, 190, 106, 160, 103, 130, 100, 100];
  assert.ok(qualityFlags(flipped, CONF).some((x) => x.startsWith('order: L5 is not below L1')));
});

test('a spine lying across the image (turned 90°) is flagged by its direction; 30° from vertical is not', () => {
  // L1 -> L5 going right and a little down: 76° from vertical.
  const sideways = [100, 100, 130, 107, 160, 115, 190, 122, 220, 130];
  assert.deepEqual(qualityFlags(sideways, CONF), ['direction: the L1-L5 axis is 76° from vertical (more than 45°); the image may be turned']);
  const leaning = [0, 1, 2, 3, 4].flatMap((k) => [100 + 30 * k * Math.sin(Math.PI / 6), 100 + 30 * k * Math.cos(Math.PI / 6)]);
  assert.deepEqual(qualityFlags(leaning, CONF), []);
});

test('one gap twice the others: spacing flag with the ratio', () => {
  // Gaps 30, 30, 60, 30 -> median 30; L3-L4 is 2.00x.
  const pts = [100, 100, 100, 130, 100, 160, 100, 220, 100, 250];
  const f = qualityFlags(pts, CONF);
  assert.deepEqual(f, ['spacing: L3-L4 is 2.00x the median neighbour distance (allowed 0.6-1.6)']);
});

test('MRE in mm uses row spacing for y and column spacing for x; SDR counts points within 2 and 4 mm', () => {
  const truthKp: number[] = [];
  for (let k = 0; k < 5; k++) truthKp.push(GOOD[2 * k]!, GOOD[2 * k + 1]!, 2);
  // Errors: L1 3 px in x (col 0.5 mm -> 1.5 mm), L2 3 px in y (row 1 mm -> 3 mm), L3 (3, 4) px -> hypot(1.5, 4) mm,
  // L4 exact, L5 10 px in y -> 10 mm.
  const moved = [...truthKp];
  moved[0] += 3; moved[4] += 3; moved[6] += 3; moved[7] += 4; moved[13] += 10;
  const r = evaluateKeypoints([{ imageId: 1, keypoints: moved, score: 1 }], [{ imageId: 1, keypoints: truthKp, area: 5000 }], new Map([[1, [1, 0.5]]]));
  const e = [1.5, 3, Math.hypot(1.5, 4), 0, 10];
  assert.ok(Math.abs(r.mre_mm - e.reduce((a, b) => a + b) / 5) < 1e-12);
  assert.ok(Math.abs(r.per_vertebra.L3!.mre_mm - Math.hypot(1.5, 4)) < 1e-12);
  assert.equal(r.sdr_2mm, 2 / 5); // 1.5 and 0
  assert.equal(r.sdr_4mm, 3 / 5); // + 3 (4.27 is over)
  assert.deepEqual(r.worst_images, [{ image_id: 1, mre_mm: r.mre_mm }]);
  assert.deepEqual(r.sigmas, [0.107, 0.107, 0.107, 0.107, 0.107]);
});

test('a truth image without a prediction is listed and counts as a miss in AP', () => {
  const truthKp: number[] = [];
  for (let k = 0; k < 5; k++) truthKp.push(GOOD[2 * k]!, GOOD[2 * k + 1]!, 2);
  const r = evaluateKeypoints([{ imageId: 1, keypoints: truthKp, score: 1 }],
    [{ imageId: 1, keypoints: truthKp, area: 5000 }, { imageId: 2, keypoints: truthKp, area: 5000 }], new Map([[1, [1, 1]], [2, [1, 1]]]));
  assert.deepEqual(r.missing_predictions, [2]);
  assert.ok(Math.abs(r.ap - 51 / 101) < 1e-12); // recall stops at 1/2
});
