// The interim patch cutter against hand geometry: on an image whose value is its x coordinate, every
// patch pixel must hold the x of the original point the inverse transform sends it to (bilinear
// sampling of a linear function is exact), after the min-max scaling over the five patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutPatches, invertAffine, DEFAULT_PATCH_PARAMETERS } from '../../../src/models/image/interim-patches.js';
import type { Radiograph } from '../../../src/imaging/index.js';

function ramp(rows: number, columns: number): Radiograph {
  const pixels = new Float32Array(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) pixels[i * columns + j] = j + 0.5; // value = COCO x of the pixel centre
  return {
    pixels, rows, columns, bitsStored: 16, photometric: 'MONOCHROME2', inversion: null, transferSyntax: 'png', pixelSpacing: null, spacingSource: null,
    viewPosition: null, patientOrientation: null, laterality: null, bodyPart: null, modality: null, window: { center: 100, width: 200, fromFile: false }, warnings: [],
  };
}

test('patch pixels sample the original image where the inverse transform says (tilted spine, 1:1 and 2x area-averaged)', () => {
  for (const scale of [1, 2.5]) {
    const image = ramp(Math.round(400 * scale), Math.round(300 * scale));
    const kp = [120, 80, 128, 130, 140, 180, 155, 230, 172, 280].map((v) => v * scale);
    const S = 32;
    const { pixels, transforms } = cutPatches(image, kp, { ...DEFAULT_PATCH_PARAMETERS, size: S }, 'ramp');
    const xs: number[] = [];
    transforms.forEach((m) => {
      const inv = invertAffine(m);
      for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) xs.push(inv[0][0] * (j + 0.5) + inv[0][1] * (i + 0.5) + inv[0][2]);
    });
    const lo = Math.min(...xs), hi = Math.max(...xs);
    let worst = 0;
    xs.forEach((x, k) => (worst = Math.max(worst, Math.abs(pixels[k] - (255 * (x - lo)) / (hi - lo)))));
    // Rounding to uint8 (0.5) plus, when area-averaged first, the pooled grid's half-pixel offsets.
    assert.ok(worst <= (scale === 1 ? 0.51 : 1.5), `scale ${scale}: largest difference ${worst.toFixed(3)} grey levels`);
  }
});

test('keypoints too close together, or not finite, are refused by name', () => {
  const image = ramp(100, 100);
  assert.throws(() => cutPatches(image, [50, 50, 50, 51, 50, 52, 50, 53, 50, 54], DEFAULT_PATCH_PARAMETERS, 'x.dcm'), /x\.dcm: the L1 and L5 keypoints are 4\.0 px apart/);
  assert.throws(() => cutPatches(image, [NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9], DEFAULT_PATCH_PARAMETERS, 'x.dcm'), /x\.dcm: needs 5 finite keypoints/);
});
