import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderRadiograph, imageShape, type RadiographPatient } from '../../src/synth/render/radiograph.js';
import { makeTextureBank } from '../../src/synth/render/texture.js';
import { streamRandom } from '../../src/synth/streams.js';

const SIZE = 256;
const bank = makeTextureBank(streamRandom(1, 'texture'), imageShape(SIZE).pixelMm);

function patient(index: number, latentTScore: number, deformity: RadiographPatient['deformity'] = null): RadiographPatient {
  return { index, sex: index % 3 === 0 ? 'M' : 'F', age: 55 + index, bmi: 20 + index, latentTScore, deformity };
}

test('masks label L1..L5, each keypoint lies inside its own body, and bodies differ from the background', () => {
  for (let i = 0; i < 6; i++) {
    const img = renderRadiograph(patient(i, -2 + i * 0.5, i === 2 ? { level: 1, kind: 'wedge', heightLoss: 0.22 } : null), SIZE, 7, bank);
    assert.equal(img.rows, SIZE);
    assert.equal(img.columns, Math.round(SIZE * 0.8));
    assert.equal(img.keypoints.length, 5);
    let insideSum = 0;
    let inside = 0;
    let outsideSum = 0;
    let outside = 0;
    const counts = [0, 0, 0, 0, 0, 0];
    for (let k = 0; k < img.pixels.length; k++) {
      assert.ok(img.pixels[k] <= 4095);
      counts[img.labels[k]]++;
      if (img.labels[k] > 0) {
        insideSum += img.pixels[k];
        inside++;
      } else {
        outsideSum += img.pixels[k];
        outside++;
      }
    }
    for (let label = 1; label <= 5; label++) assert.ok(counts[label] > 50, `patient ${i}: L${label} has ${counts[label]} mask pixels`);
    // Globally the masks' mean differs from the rest (which holds air, soft tissue and sometimes
    // bright collimator borders); locally every body is brighter than what surrounds it.
    assert.ok(Math.abs(insideSum / inside - outsideSum / outside) > 50, `patient ${i}: inside ${insideSum / inside}, outside ${outsideSum / outside}`);
    for (let label = 1; label <= 5; label++) {
      let c0 = Infinity;
      let c1 = -Infinity;
      let r0 = Infinity;
      let r1 = -Infinity;
      for (let k = 0; k < img.labels.length; k++) {
        if (img.labels[k] !== label) continue;
        const r = Math.floor(k / img.columns);
        const c = k % img.columns;
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
      }
      let bodySum = 0;
      let bodyN = 0;
      let ringSum = 0;
      let ringN = 0;
      for (let r = Math.max(0, r0 - 3); r <= Math.min(img.rows - 1, r1 + 3); r++) {
        for (let c = Math.max(0, c0 - 3); c <= Math.min(img.columns - 1, c1 + 3); c++) {
          const k = r * img.columns + c;
          if (img.labels[k] === label) (bodySum += img.pixels[k]), bodyN++;
          else if (img.labels[k] === 0) (ringSum += img.pixels[k]), ringN++;
        }
      }
      assert.ok(bodySum / bodyN > ringSum / ringN + 40, `patient ${i} L${label}: body ${bodySum / bodyN}, surroundings ${ringSum / ringN}`);
    }
    img.keypoints.forEach(([x, y], k) => {
      assert.ok(x >= 0 && x < img.columns && y >= 0 && y < img.rows, `keypoint L${k + 1} outside the image`);
      assert.equal(img.labels[Math.round(y) * img.columns + Math.round(x)], k + 1, `patient ${i}: keypoint L${k + 1} not in its mask`);
    });
    // Top to bottom in anatomical order (rotation is at most 15 degrees).
    for (let k = 1; k < 5; k++) assert.ok(img.keypoints[k][1] > img.keypoints[k - 1][1]);
  }
});

test('the vertebral bodies show the latent density: denser bone is brighter inside the masks', () => {
  const meanInside = (t: number): number => {
    const img = renderRadiograph(patient(4, t), SIZE, 3, bank);
    let s = 0;
    let n = 0;
    for (let k = 0; k < img.pixels.length; k++) if (img.labels[k] > 0) (s += img.pixels[k]), n++;
    return s / n;
  };
  const dense = meanInside(1);
  const normal = meanInside(-1);
  const porotic = meanInside(-3);
  assert.ok(dense > normal + 30 && normal > porotic + 30, `${dense} ${normal} ${porotic}`);
});

test('a wedge deformity lowers the mask area of the deformed body only', () => {
  const plain = renderRadiograph(patient(5, -1.5), SIZE, 9, bank);
  const wedged = renderRadiograph(patient(5, -1.5, { level: 2, kind: 'wedge', heightLoss: 0.25 }), SIZE, 9, bank);
  const area = (labels: Uint8Array, label: number): number => labels.reduce((s, v) => s + (v === label ? 1 : 0), 0);
  assert.ok(area(wedged.labels, 3) < 0.95 * area(plain.labels, 3), `${area(wedged.labels, 3)} vs ${area(plain.labels, 3)}`);
  assert.ok(Math.abs(area(wedged.labels, 1) - area(plain.labels, 1)) <= 0.02 * area(plain.labels, 1));
});

test('rendering is a pure function of (patient, size, seed)', () => {
  const hash = (seed: number): string => createHash('sha256').update(renderRadiograph(patient(1, -1), SIZE, seed, bank).pixels).digest('hex');
  assert.equal(hash(4), hash(4));
  assert.notEqual(hash(4), hash(5));
});
