import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, scope, tensor } from '../../src/torch/index.js';
import {
  applyAffine, composeAffine, defaultParams, invertAffine, mapPointBack, mapPointForward, outputLayout, preprocessRadiographs,
  type Matrix2x3, type PreprocessParams,
} from '../../src/preprocess/index.js';
import { axisAlignedSimilarity } from '../../src/preprocess/affine.js';
import { affineGridBroadcast, sampleBatch } from '../../src/preprocess/sample.js';
import { checkKeypoints } from '../../src/preprocess/keypoint-checks.js';
import { Random } from '../../src/util/random.js';

// A spine tilted by ~20 degrees, with a lordotic bend, in a 400 x 500 image (x, y per vertebra).
const KP = Float64Array.from([150, 100, 170, 160, 195, 222, 225, 280, 262, 335]);

function close(actual: number[], expected: number[], tol: number, what: string): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol, `${what}: got ${actual.join(', ')}, expected ${expected.join(', ')} (tolerance ${tol})`));
}

test('axisAlignedSimilarity, worked by hand: the axis (3, 4) turns to (0, 5 s) and the origin lands on its target', () => {
  const m = axisAlignedSimilarity([10, 20], [3, 4], [100, 50], 2);
  // R = [[0.8, -0.6], [0.6, 0.8]] times 2; (10, 20) -> (16 - 24, 12 + 32) = (-8, 44), so t = (108, 6).
  close(m.flat(), [1.6, -1.2, 108, 1.2, 1.6, 6], 1e-12, 'matrix');
  close(applyAffine(m, [13, 24]), [100, 60], 1e-12, 'axis end');
});

test('invert and compose: points mapped forward and back return within 0.01 px (here 1e-9)', () => {
  const rng = new Random(5);
  for (let t = 0; t < 100; t++) {
    const m: Matrix2x3 = [
      [rng.uniform() * 4 - 2, rng.uniform() * 4 - 2, rng.uniform() * 1000],
      [rng.uniform() * 4 - 2, rng.uniform() * 4 - 2, rng.uniform() * 1000],
    ];
    const p: [number, number] = [rng.uniform() * 3000, rng.uniform() * 3000];
    const back = applyAffine(invertAffine(m), applyAffine(m, p));
    assert.ok(Math.hypot(back[0] - p[0], back[1] - p[1]) < 1e-9);
    const id = composeAffine(invertAffine(m), m);
    close(id.flat(), [1, 0, 0, 0, 1, 0], 1e-9, 'inverse composed with the map');
  }
});

test('similarity: L1 and L5 land exactly on their targets; rigid: L1 on target, L5 on the vertical axis at the fixed scale', () => {
  const S = 384;
  const sim = outputLayout(KP, defaultParams('full-l1l5', { size: S }));
  // h = 1 + 2 m = 1.5: L1 at (192, 384 * 0.25 / 1.5) = (192, 64), L5 at (192, 384 * 1.25 / 1.5) = (192, 320).
  close(applyAffine(sim.matrices[0], [150, 100]), [192, 64], 1e-9, 'L1');
  close(applyAffine(sim.matrices[0], [262, 335]), [192, 320], 1e-9, 'L5');
  const l14 = outputLayout(KP, defaultParams('full-l1l4', { size: S }));
  // h = 0.75 + 0.5 = 1.25: L1 at (192, 76.8), L5 at (192, 384 * 1.25 / 1.25) = (192, 384).
  close(applyAffine(l14.matrices[0], [150, 100]), [192, 76.8], 1e-9, 'L1 (L1-L4)');
  close(applyAffine(l14.matrices[0], [262, 335]), [192, 384], 1e-9, 'L5 (L1-L4)');
  const length = Math.hypot(112, 235);
  const rigid = outputLayout(KP, defaultParams('full-l1l5', { size: S, align: 'rigid', rigidReferenceDistance: 300 }));
  close(applyAffine(rigid.matrices[0], [150, 100]), [192, 64], 1e-9, 'rigid L1');
  close(applyAffine(rigid.matrices[0], [262, 335]), [192, 64 + (length * S) / (1.5 * 300)], 1e-9, 'rigid L5');
});

test('patches: every keypoint goes to the centre of its own patch, the side follows the neighbour distances', () => {
  const P = 64;
  const layout = outputLayout(KP, defaultParams('patches', { patchSize: P, margin: 0.25 }));
  for (let k = 0; k < 5; k++) close(applyAffine(layout.matrices[k], [KP[2 * k], KP[2 * k + 1]]), [32, 32], 1e-9, `L${k + 1}`);
  // L1's only neighbour is L2, at distance hypot(20, 60); the patch side is 1.5 times that.
  assert.ok(Math.abs(layout.inputPerOutput[0] - (1.5 * Math.hypot(20, 60)) / P) < 1e-12);
  // Its local axis (L1 -> L2) points down the patch.
  const down = applyAffine(layout.matrices[0], [170, 160]);
  assert.ok(Math.abs(down[0] - 32) < 1e-9 && down[1] > 32);
});

/** An image with a small bright Gaussian dot (sigma 1.5 px) at each given point, on a dark, slightly graded background. */
function dots(points: [number, number][], columns: number, rows: number): Float32Array {
  const img = new Float32Array(rows * columns);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      let v = 100 + 0.01 * x;
      for (const [px, py] of points) v += 1000 * Math.exp(-((x + 0.5 - px) ** 2 + (y + 0.5 - py) ** 2) / (2 * 1.5 ** 2));
      img[y * columns + x] = v;
    }
  }
  return img;
}

/** Intensity-weighted centroid (COCO pixel coordinates) of the values above `floor` within `radius` of `near`. */
function centroid(plane: Float32Array, side: number, near: [number, number], radius: number, floor: number): [number, number] {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (Math.hypot(x + 0.5 - near[0], y + 0.5 - near[1]) > radius) continue;
      const w = Math.max(0, plane[y * side + x] - floor);
      sw += w;
      sx += w * (x + 0.5);
      sy += w * (y + 0.5);
    }
  }
  return [sx / sw, sy / sw];
}

test('on pixels: after the similarity transform the L1 and L5 dots are within 0.5 px of their targets (down-sampled 1.6x)', () => {
  const columns = 400;
  const rows = 500;
  const pixels = dots([[150, 100], [262, 335]], columns, rows);
  const S = 240; // the L1-L5 length 260 px becomes 160 px
  const params: PreprocessParams = defaultParams('full-l1l5', { size: S });
  const { tensor: out, transforms } = preprocessRadiographs([{ pixels, rows, columns }], [KP], params);
  const targets: [number, number][] = [[120, 40], [120, 200]];
  for (const target of targets) {
    const c = centroid(out, S, target, 6, 0.05);
    assert.ok(Math.hypot(c[0] - target[0], c[1] - target[1]) < 0.5, `dot at ${c.join(', ')}, target ${target.join(', ')}`);
  }
  // The stored transform maps the keypoints onto the same targets.
  close(mapPointForward(transforms[0], [150, 100]), targets[0], 1e-9, 'transform L1');
  close(mapPointBack(transforms[0], targets[1]), [262, 335], 1e-9, 'transform back L5');
});

test('on pixels: each patch has its vertebra dot at its centre (within 0.5 px)', () => {
  const columns = 400;
  const rows = 500;
  const points = [0, 1, 2, 3, 4].map((k) => [KP[2 * k], KP[2 * k + 1]] as [number, number]);
  const pixels = dots(points, columns, rows);
  const P = 48;
  const { tensor: out, shape } = preprocessRadiographs([{ pixels, rows, columns }], [KP], defaultParams('patches', { patchSize: P, margin: 0.1 }));
  assert.deepEqual(shape, [1, 5, P, P]);
  for (let k = 0; k < 5; k++) {
    const c = centroid(out.subarray(k * P * P, (k + 1) * P * P), P, [24, 24], 6, 0.05);
    assert.ok(Math.hypot(c[0] - 24, c[1] - 24) < 0.5, `L${k + 1} dot at ${c.join(', ')}`);
  }
});

test('the broadcast affine grid equals the engine affine_grid (align_corners false)', () => {
  scope(() => {
    const theta = tensor([0.7, -0.2, 0.1, 0.25, 0.6, -0.3, 1.1, 0.05, -0.5, -0.1, 0.9, 0.2], [2, 2, 3]);
    const ours = affineGridBroadcast(theta, 2, 37, 23).toFloat32Array();
    const engine = F.affineGrid(theta, [2, 1, 37, 23]).toFloat32Array();
    assert.equal(ours.length, engine.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - engine[i]));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  });
});

test('anti-aliasing: stripes finer than the output grid average out instead of folding into moire; coarse stripes survive', () => {
  const side = 64;
  const factor = 4.3; // input pixels per output pixel
  const columns = Math.ceil(side * factor) + 4;
  const rows = columns;
  const stripes = (period: number): Float32Array => {
    const img = new Float32Array(rows * columns);
    for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) img[y * columns + x] = 0.5 + 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / period);
    return img;
  };
  const matrix: Matrix2x3 = [
    [1 / factor, 0, -2 / factor],
    [0, 1 / factor, -2 / factor],
  ];
  const layout = { side, matrices: [matrix], rois: [{ x0: 0, y0: 0, x1: side, y1: side }], maskLabels: [[1]], inputPerOutput: [factor] };
  const spread = (img: Float32Array, plain = false): number => {
    const used = plain ? { ...layout, inputPerOutput: [1] } : layout; // [1]: one bilinear sample per pixel
    const [out] = sampleBatch([{ pixels: img, rows, columns }], [[used]], [false])[0];
    const v = out.values;
    return Math.max(...v) - Math.min(...v);
  };
  // Period 2.1 input px is far above the output Nyquist rate (2 output px = 8.6 input px): a single
  // bilinear sample per output pixel would swing over most of the 0..1 range (a beat of period ~2 output
  // px); the box average over each 4.3 x 4.3 footprint leaves at most 2.1 / (pi 4.3) ~ 0.16.
  assert.ok(spread(stripes(2.1)) < 0.2, `fine stripes: range ${spread(stripes(2.1))}`);
  assert.ok(spread(stripes(2.1), true) > 0.6, `fine stripes without the filter: range ${spread(stripes(2.1), true)}`);
  // Stripes of 16 output px pass almost untouched (box filter gain sinc(1/16) ~ 0.99).
  assert.ok(spread(stripes(16 * factor)) > 0.9, `coarse stripes: range ${spread(stripes(16 * factor))}`);
});

test('keypoint checks name the fault: missing, out of order, outside the image', () => {
  assert.equal(checkKeypoints(KP, 500, 400), null);
  const missing = Float64Array.from(KP);
  missing[4] = Number.NaN;
  assert.match(checkKeypoints(missing, 500, 400) ?? '', /L3 missing/);
  const swapped = Float64Array.from([150, 100, 195, 222, 170, 160, 225, 280, 262, 335]);
  assert.match(checkKeypoints(swapped, 500, 400) ?? '', /out of order: L3 is not below L2/);
  assert.match(checkKeypoints(KP, 300, 400) ?? '', /L5 .* outside the 400x300 image/);
});
