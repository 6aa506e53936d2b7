import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRadiograph, imageShape } from '../../src/synth/render/radiograph.js';
import { makeTextureBank } from '../../src/synth/render/texture.js';
import { streamRandom } from '../../src/synth/streams.js';
import { previewPixels } from '../../src/synth/preview.js';

const SIZE = 192;

test('a preview spans the 8-bit range, and the overlay brightens odd vertebrae and marks every keypoint in black', () => {
  const bank = makeTextureBank(streamRandom(1, 'texture'), imageShape(SIZE).pixelMm);
  const image = renderRadiograph({ index: 3, sex: 'F', age: 62, bmi: 23, latentTScore: -1.5, deformity: null }, SIZE, 4, bank);
  const plain = previewPixels(image);
  const marked = previewPixels(image, true);
  assert.equal(plain.length, image.rows * image.columns);
  assert.equal(Math.min(...plain), 0);
  assert.equal(Math.max(...plain), 255);
  for (const [x, y] of image.keypoints) assert.equal(marked[Math.round(y) * image.columns + Math.round(x)], 0);
  let brightened = 0;
  let changedElsewhere = 0;
  for (let k = 0; k < plain.length; k++) {
    const label = image.labels[k];
    if (label % 2 === 1 && marked[k] > plain[k]) brightened++;
    if (label === 0 && marked[k] > plain[k]) changedElsewhere++;
  }
  assert.ok(brightened > 100, `${brightened} pixels of L1, L3, L5 brightened`);
  assert.equal(changedElsewhere, 0);
});
