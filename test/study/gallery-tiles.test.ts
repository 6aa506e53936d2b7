/**
 * Gallery pictures: keypoints carried into the crop land on the bright pixels drawn at their places
 * (read back from the PNG), the mean radial error in mm by hand, the Grad-CAM selection and
 * percentiles on hand-made rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Radiograph } from '../../src/imaging/radiograph.js';
import { HEAT_ALPHA } from '../../src/imaging/index.js';
import { gradcamPicture, gradcamSelection, keypointPicture, meanRadialErrorMm, percentiles, worstCases } from '../../src/study/gallery-tiles.js';

function radiograph(columns: number, rows: number, bright: [number, number][]): Radiograph {
  const pixels = new Float32Array(columns * rows).fill(100);
  for (const [x, y] of bright) for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) pixels[(y + dy) * columns + x + dx] = 4000;
  return {
    pixels, rows, columns, bitsStored: 12, photometric: 'MONOCHROME2', inversion: null, transferSyntax: 'x', pixelSpacing: [0.5, 0.25],
    spacingSource: 'PixelSpacing', viewPosition: null, patientOrientation: null, laterality: null, bodyPart: null, modality: null,
    window: { center: 2048, width: 4096, fromFile: false }, warnings: [],
  };
}

test('keypoints land on their own pixels in the cropped, shrunk picture', async () => {
  const centres: [number, number][] = [[300, 200], [310, 300], [320, 400], [330, 500], [340, 600]];
  const r = radiograph(800, 900, centres);
  // COCO convention: the centre of pixel (x, y) is at (x + 0.5, y + 0.5).
  const predicted = centres.flatMap(([x, y]) => [x + 0.5, y + 0.5]);
  const truth = predicted.map((v, i) => v + (i % 2 === 0 ? 4 : 2));
  const { tile, png } = await keypointPicture(r, predicted, truth, [], 'figures/keypoints/1.png', 120);
  assert.ok(Math.max(tile.width, tile.height) === 120);
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, tile.width);
  assert.equal(info.channels, 1);
  for (let k = 0; k < 5; k++) {
    const x = Math.floor(tile.predicted[2 * k]);
    const y = Math.floor(tile.predicted[2 * k + 1]);
    // A 5 x 5 bright block averaged into about 6 x 6 source pixels per picture pixel: well above the background (6).
    assert.ok(data[y * info.width + x] > 25, `L${k + 1} at (${x}, ${y}) is bright: ${data[y * info.width + x]}`);
    assert.ok(data[(y + 6) * info.width + x] < 10, `L${k + 1}: 6 pixels below is background`);
  }
  // Background windowed by the file's window: (100 - 2047.5) / 4095 + 0.5 of 255.
  assert.equal(data[0], Math.round(255 * ((100 - 2047.5) / 4095 + 0.5)));
  // 4 px across at 0.25 mm and 2 px down at 0.5 mm: sqrt(1 + 1) mm at every vertebra.
  assert.ok(Math.abs(tile.mre_mm! - Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(meanRadialErrorMm(predicted, truth, [0.5, 0.25]) - Math.SQRT2) < 1e-12);
});

test('the Grad-CAM picture: the map is scaled by its own maximum', async () => {
  const input = new Uint8Array(8 * 8).fill(50);
  const cam = [0, 0, 0, 0.5];
  const { tile, png } = await gradcamPicture(input, 8, 8, cam, 2, 2, { event: 1, time: 2, risk_percentile: 90 }, 'figures/gradcam/1.png');
  assert.deepEqual([tile.width, tile.height, tile.event], [8, 8, 1]);
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [50, 50, 50], 'cold corner untouched');
  const last = (8 * 8 - 1) * 3;
  // Hot corner at full scale (0.5 scaled up to 1): (1 - a) grey + a red, a the overlay's full opacity.
  assert.deepEqual([...data.subarray(last, last + 3)], [215, 25, 28].map((c) => Math.round((1 - HEAT_ALPHA) * 50 + HEAT_ALPHA * c)));
});

test('selections: fractured with the highest risk, others with the lowest; worst errors first; percentiles with ties', () => {
  const risk = [0.1, 0.9, 0.5, 0.3, 0.8, 0.2];
  const event = [0, 1, 1, 0, 0, 1];
  assert.deepEqual(gradcamSelection(risk, event, 2).rows, [1, 2, 0, 3]);
  assert.deepEqual(worstCases([1, NaN, 5, 3], 2), [2, 3]);
  assert.deepEqual([...percentiles([3, 1, 3, 2])], [(100 * 2.5) / 3, 0, (100 * 2.5) / 3, 100 / 3]);
});
