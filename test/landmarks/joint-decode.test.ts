import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeatmaps } from '../../src/landmarks/codec.js';
import { qualityFlags, MIN_CONFIDENCE } from '../../src/landmarks/flags.js';
import { decodeJointly, peakCandidates } from '../../src/landmarks/joint-decode.js';

// Hand-built heatmaps: 32 x 80 heatmap pixels, sigma 2 (the cpu profile's), the five true centres
// about 16 px apart down a slightly leaning spine. Every expected position below is one of these
// hand-placed centres (DARK lands on a Gaussian's centre; peaks 15 px apart do not disturb each other:
// after the blur their overlap is exp(-15^2 / 16) ~ 1e-6 of the peak).
const shape = { width: 32, height: 80 };
const SIGMA = 2;
const TRUE: [number, number][] = [[14.3, 8.2], [15.1, 24.6], [16.4, 40.1], [17.2, 56.4], [17.9, 72.3]];
const REPAIRABLE = (f: string): boolean => f.startsWith('spacing:') || f.startsWith('order:');
const OPTIONS = { problems: qualityFlags, repairable: REPAIRABLE, floor: MIN_CONFIDENCE };

/** Five maps; maps[k] is a list of Gaussians (x, y, height) drawn into heatmap k (their maximum where they overlap). */
function draw(maps: [number, number, number][][]): Float32Array {
  const area = shape.width * shape.height;
  const out = new Float32Array(maps.length * area);
  maps.forEach((blobs, k) => {
    for (let j = 0; j < shape.height; j++) {
      for (let i = 0; i < shape.width; i++) {
        let v = 0;
        for (const [x, y, h] of blobs) v = Math.max(v, h * Math.exp(-((i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2) / (2 * SIGMA * SIGMA)));
        out[k * area + j * shape.width + i] = v;
      }
    }
  });
  return out;
}

function near(points: Float64Array, expected: [number, number][], tol = 0.05): void {
  expected.forEach(([x, y], k) => {
    const d = Math.hypot(points[2 * k]! - x, points[2 * k + 1]! - y);
    assert.ok(d < tol, `L${k + 1} at ${points[2 * k]!.toFixed(3)}, ${points[2 * k + 1]!.toFixed(3)}; expected ${x}, ${y} (off by ${d.toFixed(3)})`);
  });
}

test('joint decoding: L2 firing more strongly on L3 puts two centres on one vertebra; the chain puts L2 back', () => {
  // L2's heatmap: 0.80 on its own vertebra, 0.95 on L3 (the failure the spacing flag catches).
  const maps = TRUE.map(([x, y]): [number, number, number][] => [[x, y, 1]]);
  maps[1] = [[TRUE[1]![0], TRUE[1]![1], 0.8], [TRUE[2]![0], TRUE[2]![1], 0.95]];
  const heat = draw(maps);

  const independent = decodeHeatmaps(heat, 5, shape, SIGMA);
  near(independent.points, [TRUE[0]!, TRUE[2]!, TRUE[2]!, TRUE[3]!, TRUE[4]!]);
  assert.ok(qualityFlags(independent.points, independent.confidence).some((f) => f.startsWith('spacing: L1-L2') && f.includes('L2-L3 is 0.00x')));

  const joint = decodeJointly(heat, 5, shape, SIGMA, OPTIONS);
  assert.equal(joint.repaired, true);
  near(joint.points, TRUE);
  // L2's confidence is the height of the peak it now sits on: its pixel (15, 24), centre (15.5, 24.5),
  // is (0.4, 0.1) from the 0.8 peak, so 0.8 exp(-0.17 / 8); the other four keep theirs.
  assert.ok(Math.abs(joint.confidence[1]! - 0.8 * Math.exp(-0.17 / 8)) < 1e-6, `L2 confidence ${joint.confidence[1]}`);
  assert.deepEqual([0, 2, 3, 4].map((k) => joint.confidence[k]), [0, 2, 3, 4].map((k) => independent.confidence[k]));
  assert.deepEqual(qualityFlags(joint.points, joint.confidence), []);
});

test('joint decoding: when the independent maxima already form a plausible chain, the output is identical', () => {
  // Each map also answers weakly (0.5) on the vertebra below: plenty of alternatives, none needed.
  const maps = TRUE.map(([x, y], k): [number, number, number][] => (k < 4 ? [[x, y, 1], [TRUE[k + 1]![0], TRUE[k + 1]![1], 0.5]] : [[x, y, 1]]));
  const heat = draw(maps);
  const joint = decodeJointly(heat, 5, shape, SIGMA, OPTIONS);
  near(joint.points, TRUE);
  assert.equal(joint.repaired, false);
  const independent = decodeHeatmaps(heat, 5, shape, SIGMA);
  assert.deepEqual(Array.from(joint.points), Array.from(independent.points));
  assert.deepEqual(joint.confidence, independent.confidence);
});

test('joint decoding repairs only spacing and order: a turned spine, or one with no accepted chain, stays as decoded and flagged', () => {
  // Turned 90°: the spine runs across a 80 x 32 heatmap; L2 again fires on L3.
  const turned = { width: 80, height: 32 };
  const across = TRUE.map(([x, y]): [number, number] => [y, x]);
  const area = turned.width * turned.height;
  const heat = new Float32Array(5 * area);
  const blobs = across.map(([x, y]): [number, number, number][] => [[x, y, 1]]);
  blobs[1] = [[across[1]![0], across[1]![1], 0.8], [across[2]![0], across[2]![1], 0.95]];
  blobs.forEach((list, k) => {
    for (let j = 0; j < turned.height; j++) for (let i = 0; i < turned.width; i++) {
      let v = 0;
      for (const [x, y, h] of list) v = Math.max(v, h * Math.exp(-((i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2) / 8));
      heat[k * area + j * turned.width + i] = v;
    }
  });
  const joint = decodeJointly(heat, 5, turned, SIGMA, OPTIONS);
  assert.equal(joint.repaired, false);
  const flags = qualityFlags(joint.points, joint.confidence);
  assert.ok(flags.some((f) => f.startsWith('direction')) && flags.some((f) => f.startsWith('spacing')), flags.join(' | '));

  // L2's map has only the wrong peak: no combination is accepted, so the independent decode stays.
  const maps = TRUE.map(([x, y]): [number, number, number][] => [[x, y, 1]]);
  maps[1] = [[TRUE[2]![0], TRUE[2]![1], 0.95]];
  const only = decodeJointly(draw(maps), 5, shape, SIGMA, OPTIONS);
  assert.equal(only.repaired, false);
  near(only.points, [TRUE[0]!, TRUE[2]!, TRUE[2]!, TRUE[3]!, TRUE[4]!]);
  assert.ok(qualityFlags(only.points, only.confidence).some((f) => f.startsWith('spacing')));
});

test('peak candidates: the global maximum first, then local maxima by height, the floor applied to the rest', () => {
  const heat = draw([[[8.5, 10.5, 0.4], [20.5, 30.5, 0.9], [10.5, 60.5, 0.6], [25.5, 70.5, 0.2]]]);
  const c = peakCandidates(heat, shape, SIGMA, 5, 0.3);
  assert.deepEqual(c.map((p) => [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10, Math.round(p.value * 10) / 10]), [[20.5, 30.5, 0.9], [10.5, 60.5, 0.6], [8.5, 10.5, 0.4]]);
  // A flat map has one candidate, its first pixel: the one decodeHeatmaps takes.
  assert.deepEqual(peakCandidates(new Float32Array(shape.width * shape.height), shape, SIGMA, 5, 0.3), [{ x: 0.5, y: 0.5, value: 0 }]);
});
