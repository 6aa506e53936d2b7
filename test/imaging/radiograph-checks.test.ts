// The pixel rules that refuse an image before any detector sees it, on hand-made images: a phantom
// with what the rules look for in a radiograph (bright vertebral blocks over soft tissue, dark air,
// quantum noise that grows with brightness), and the things that are not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noiseBrightnessCorrelation, percentiles, radiographPixelProblems, structureShare } from '../../src/imaging/radiograph-checks.js';
import { Random } from '../../src/util/random.js';

interface Image {
  pixels: Float32Array;
  rows: number;
  columns: number;
  bitsStored: number;
  photometric: string;
}

const image = (pixels: Float32Array, rows: number, columns: number, photometric = 'MONOCHROME2'): Image => ({ pixels, rows, columns, bitsStored: 12, photometric });

/** A lateral-lumbar-like phantom, 12-bit, bone bright: rows x columns, portrait. */
function phantom(rows: number, columns: number, seed = 1): Float32Array {
  const rng = new Random(seed);
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let v = 0.25 + 0.1 * (r / rows);
      // Five vertebral bodies down a column a little right of centre, and air behind the back.
      const y = r / rows;
      const inBody = c > 0.45 * columns && c < 0.65 * columns && y > 0.08 && y < 0.92 && (y - 0.08) % 0.168 < 0.13;
      if (inBody) v += 0.35;
      if (c > 0.9 * columns) v = 0.03;
      v += 0.012 * (0.4 + v) * rng.normal();
      out[r * columns + c] = Math.max(0, Math.min(4095, Math.round(v * 4095)));
    }
  }
  return out;
}

const ROWS = 256;
const COLUMNS = 200;

test('the phantom radiograph passes every rule, portrait or square', () => {
  assert.deepEqual(radiographPixelProblems(image(phantom(ROWS, COLUMNS), ROWS, COLUMNS)), []);
  assert.deepEqual(radiographPixelProblems(image(phantom(ROWS, ROWS), ROWS, ROWS)), []);
  assert.ok(noiseBrightnessCorrelation(image(phantom(ROWS, COLUMNS), ROWS, COLUMNS))! > 0.3);
});

test('a 1024 px phantom (noise read on a subsample of each block) passes, and its inverse is refused', () => {
  const [rows, columns] = [1024, 800];
  const upright = phantom(rows, columns);
  assert.deepEqual(radiographPixelProblems(image(upright, rows, columns)), []);
  const problems = radiographPixelProblems(image(upright.map((v) => 4095 - v), rows, columns));
  assert.equal(problems.length, 1, problems.join(' | '));
  assert.match(problems[0], /^the grey scale looks inverted/);
});

test('blank and constant images are refused with the value', () => {
  assert.deepEqual(radiographPixelProblems(image(new Float32Array(ROWS * COLUMNS), ROWS, COLUMNS)), ['blank: every pixel has the value 0']);
  assert.deepEqual(radiographPixelProblems(image(new Float32Array(ROWS * COLUMNS).fill(1000), ROWS, COLUMNS)), ['blank: every pixel has the value 1000']);
});

test('a nearly constant image (a faint 10-level ramp) is nearly blank', () => {
  const ramp = Float32Array.from({ length: ROWS * COLUMNS }, (_, i) => 1000 + Math.floor((10 * Math.floor(i / COLUMNS)) / ROWS));
  const problems = radiographPixelProblems(image(ramp, ROWS, COLUMNS));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^nearly blank: 98% of the pixels lie within 0\.2\d% of the 12-bit range \(at least 0\.5% expected\)$/);
});

test('noise, uniform or around a grey level, has no anatomy', () => {
  const rng = new Random(7);
  const uniform = Float32Array.from({ length: ROWS * COLUMNS }, () => Math.floor(4096 * rng.uniform()));
  const grey = Float32Array.from({ length: ROWS * COLUMNS }, () => Math.round(2000 + 8 * rng.normal()));
  for (const pixels of [uniform, grey]) {
    const problems = radiographPixelProblems(image(pixels, ROWS, COLUMNS));
    assert.equal(problems.length, 1, problems.join(' | '));
    assert.match(problems[0], /^no anatomy: only \d+% of the pixel variance is larger than a few pixels \(noise\), at least 40% expected$/);
    assert.ok(structureShare(pixels, ROWS, COLUMNS) < 0.2);
  }
  assert.ok(structureShare(phantom(ROWS, COLUMNS), ROWS, COLUMNS) > 0.8);
});

test('an inverted grey scale is refused, naming the photometric interpretation the header gave', () => {
  const inverted = phantom(ROWS, COLUMNS).map((v) => 4095 - v);
  for (const photometric of ['MONOCHROME2', 'MONOCHROME1']) {
    const problems = radiographPixelProblems(image(inverted, ROWS, COLUMNS, photometric));
    assert.equal(problems.length, 1, problems.join(' | '));
    assert.match(problems[0], new RegExp(`^the grey scale looks inverted: the noise is strongest in the dark areas \\(rank correlation -0\\.\\d\\d\\), so bone looks dark, although Photometric Interpretation ${photometric} says bone is bright$`));
  }
});

test('no noise to measure leaves the polarity alone rather than guessing', () => {
  // A clean phantom (no noise at all): the second differences are 0 away from edges.
  const clean = Float32Array.from({ length: ROWS * COLUMNS }, (_, i) => {
    const r = Math.floor(i / COLUMNS), c = i % COLUMNS;
    return 1000 + 1500 * Number(c > 0.45 * COLUMNS && c < 0.65 * COLUMNS) + r;
  });
  assert.equal(noiseBrightnessCorrelation(image(clean, ROWS, COLUMNS)), null);
  assert.deepEqual(radiographPixelProblems(image(clean, ROWS, COLUMNS)), []);
});

test('an image wider than tall looks turned 90°; other reasons are still given beside it', () => {
  const upright = phantom(ROWS, COLUMNS);
  const turned = new Float32Array(upright.length);
  for (let i = 0; i < COLUMNS; i++) for (let j = 0; j < ROWS; j++) turned[i * ROWS + j] = upright[(ROWS - 1 - j) * COLUMNS + i];
  assert.deepEqual(radiographPixelProblems(image(turned, COLUMNS, ROWS)), [
    'the image is wider than tall (256 x 200); a lateral lumbar radiograph is taller than wide, so it looks turned 90°',
  ]);
  const blankWide = radiographPixelProblems(image(new Float32Array(ROWS * COLUMNS), COLUMNS, ROWS));
  assert.equal(blankWide.length, 2);
  assert.match(blankWide[1], /^blank/);
  // 10% wider than tall is still taken as a (square-panel) radiograph.
  assert.deepEqual(radiographPixelProblems(image(phantom(200, 220), 200, 220)), []);
});

test('percentiles from the histogram are within one bin of the sorted values', () => {
  const rng = new Random(3);
  const values = Float32Array.from({ length: 10_000 }, () => 4095 * rng.uniform());
  const sorted = Float32Array.from(values).sort();
  const p = percentiles(values);
  const bin = (sorted[sorted.length - 1] - sorted[0]) / 4095;
  assert.equal(p.min, sorted[0]);
  assert.equal(p.max, sorted[sorted.length - 1]);
  assert.ok(Math.abs(p.p1 - sorted[100]) <= bin + 1e-9, `${p.p1} vs ${sorted[100]}`);
  assert.ok(Math.abs(p.p99 - sorted[9900]) <= bin + 1e-9, `${p.p99} vs ${sorted[9900]}`);
});
