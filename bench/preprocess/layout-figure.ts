/**
 * The layout figure of docs/preprocess.md: one radiograph of a cohort (shrunk, keypoints marked), its
 * full-l1l5 and full-l1l4 outputs, and its five patches without and with masks.
 *
 *   npx tsc -p . && node dist/bench/preprocess/layout-figure.js COHORT_DIR [ROW] docs/images/preprocess-layouts.png
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRadiograph, writePng8 } from '../../src/imaging/index.js';
import { defaultParams, preprocessRadiographs } from '../../src/preprocess/index.js';
import { readKeypoints } from '../../src/keypoints/index.js';

const [cohort, rowArg, out] = process.argv.slice(2);
const row = Number(rowArg ?? '0');
const csv = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n');
const header = csv[0].split(',');
const cells = csv[row + 1].split(',');
const image = cells[header.indexOf('image')];
const maskFile = cells[header.indexOf('mask')];
const radiograph = await readRadiograph(join(cohort, image));
const mask = await readRadiograph(join(cohort, maskFile));
const labels = Uint8Array.from(mask.pixels);
const kp = readKeypoints(join(cohort, 'keypoints.json')).lookup(image, cohort)?.keypoints as Float64Array;
const S = 192;
const P = 96;
const full5 = preprocessRadiographs([radiograph], [kp], defaultParams('full-l1l5', { size: S })).tensor;
const full4 = preprocessRadiographs([radiograph], [kp], defaultParams('full-l1l4', { size: S })).tensor;
const patches = preprocessRadiographs([radiograph], [kp], defaultParams('patches', { patchSize: P })).tensor;
const patchesMasked = preprocessRadiographs([radiograph], [kp], defaultParams('patches', { patchSize: P, masks: true }), [labels]).tensor;

// The radiograph shrunk to S px high (box average), windowed to its range, keypoints as white crosses.
const f = Math.ceil(radiograph.rows / S);
const w = Math.floor(radiograph.columns / f);
const small = new Float32Array(S * w);
let lo = Infinity;
let hi = -Infinity;
for (let y = 0; y < S; y++) {
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += radiograph.pixels[Math.min(radiograph.rows - 1, y * f + dy) * radiograph.columns + x * f + dx];
    small[y * w + x] = s / (f * f);
    lo = Math.min(lo, small[y * w + x]);
    hi = Math.max(hi, small[y * w + x]);
  }
}
const gap = 6;
const width = w + gap + S + gap + S + gap + 5 * (P + 2);
const height = S;
const sheet = new Uint8Array(width * height).fill(255);
const put = (left: number, top: number, src: Float32Array | ArrayLike<number>, sw: number, sh: number, scale: (v: number) => number): void => {
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) sheet[(top + y) * width + left + x] = Math.round(Math.min(255, Math.max(0, scale(src[y * sw + x]))));
};
put(0, 0, small, w, S, (v) => (255 * (v - lo)) / (hi - lo));
for (let k = 0; k < 5; k++) {
  const cx = Math.round(kp[2 * k] / f - 0.5);
  const cy = Math.round(kp[2 * k + 1] / f - 0.5);
  for (let d = -3; d <= 3; d++) {
    if (cx + d >= 0 && cx + d < w) sheet[cy * width + cx + d] = 255;
    if (cy + d >= 0 && cy + d < S) sheet[(cy + d) * width + cx] = 255;
  }
}
put(w + gap, 0, full5, S, S, (v) => 255 * v);
put(w + gap + S + gap, 0, full4, S, S, (v) => 255 * v);
const left = w + 3 * gap + 2 * S;
for (let k = 0; k < 5; k++) {
  put(left + k * (P + 2), 0, patches.subarray(k * P * P), P, P, (v) => 255 * v);
  put(left + k * (P + 2), P, patchesMasked.subarray(k * P * P), P, P, (v) => 255 * v);
}
writePng8(out, sheet, width, height);
process.stdout.write(`${out}: ${image}, ${width}x${height}\n`);
