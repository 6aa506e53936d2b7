/**
 * The anti-aliasing figure of docs/preprocess.md: a zone plate (rings whose frequency grows with the
 * radius, up to the input's Nyquist rate at the corners) of 1536 px reduced to 256 px (6 input pixels
 * per output pixel) through the preprocessing sampler, once with its k x k box average and once with a
 * single bilinear sample per output pixel. Beyond the output's Nyquist radius the rings cannot be
 * shown and should fade to flat grey; the single sample turns them into false rings (moire) instead.
 * Prints the standard deviation of both outputs in that region.
 *
 *   npx tsc -p . && node dist/bench/preprocess/aliasing-figure.js docs/images/preprocess-aliasing.png
 */
import { writePng8 } from '../../src/imaging/index.js';
import { sampleBatch } from '../../src/preprocess/sample.js';
import type { OutputLayout } from '../../src/preprocess/geometry.js';

const N = 1536;
const S = 256;
const f = N / S;
const pixels = new Float32Array(N * N);
// Local frequency of cos(pi r^2 / N) is r / N cycles per pixel: 0.5 (Nyquist) at r = N / 2.
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const r2 = (x + 0.5 - N / 2) ** 2 + (y + 0.5 - N / 2) ** 2;
    pixels[y * N + x] = 0.5 + 0.5 * Math.cos((Math.PI * r2) / N);
  }
}
const layout = (inputPerOutput: number): OutputLayout => ({
  side: S,
  matrices: [[[1 / f, 0, 0], [0, 1 / f, 0]]],
  rois: [{ x0: 0, y0: 0, x1: S, y1: S }],
  maskLabels: [[1]],
  inputPerOutput: [inputPerOutput],
});
const [[filtered], [plain]] = sampleBatch([{ pixels, rows: N, columns: N }], [[layout(f)], [layout(1)]], [false, false]);
// The output can show up to 0.5 cycles per output pixel = 0.5 / f per input pixel: radius N / (2 f).
const stdBeyondNyquist = (v: Float32Array): number => {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const r = Math.hypot((x + 0.5) * f - N / 2, (y + 0.5) * f - N / 2);
      if (r < (1.5 * N) / (2 * f) || r > N / 2) continue; // from 1.5x the output Nyquist radius to the inscribed circle
      n++;
      s += v[y * S + x];
      s2 += v[y * S + x] ** 2;
    }
  }
  return Math.sqrt(s2 / n - (s / n) ** 2);
};
const gap = 8;
const width = 2 * S + gap;
const sheet = new Uint8Array(width * S).fill(255);
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    sheet[y * width + x] = Math.round(255 * Math.min(1, Math.max(0, plain.values[y * S + x])));
    sheet[y * width + S + gap + x] = Math.round(255 * Math.min(1, Math.max(0, filtered.values[y * S + x])));
  }
}
const out = process.argv[2] ?? 'preprocess-aliasing.png';
writePng8(out, sheet, width, S);
process.stdout.write(
  JSON.stringify({ image: out, input_px: N, output_px: S, std_beyond_nyquist: { single_bilinear_sample: +stdBeyondNyquist(plain.values).toFixed(4), box_average: +stdBeyondNyquist(filtered.values).toFixed(4) } }) + '\n',
);
