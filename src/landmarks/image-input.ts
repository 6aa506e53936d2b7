/**
 * Radiograph -> network input. A radiograph is first brought to [0, 1] (robust percentiles, so 12-bit,
 * 16-bit, MONOCHROME1 and 8-bit files all look alike to the network) and reduced by an integer
 * area average (no aliasing when a 1024 px image becomes a 256 px input); the letterbox, and in
 * training the augmentation, are then one grid_sample per image with an exact affine map.
 */
import type { Radiograph } from '../imaging/radiograph.js';
import { cat, scope, tensor, type Tensor } from '../torch/index.js';
import * as F from '../torch/functional.js';
import { compose, invert, samplingTheta, type Affine } from './geometry.js';

/** A radiograph reduced for the network: values in [0, 1], averaged over factor x factor blocks. */
export interface PreparedImage {
  data: Float32Array;
  width: number;
  height: number;
  /** Original pixels per reduced pixel. */
  factor: number;
  /** The original image's size. */
  columns: number;
  rows: number;
}

const LOW_PERCENTILE = 0.005;
const HIGH_PERCENTILE = 0.995;

/** The values at the 0.5 and 99.5 percentiles (from a regular subsample of at most ~65k pixels). */
export function intensityRange(pixels: Float32Array): [number, number] {
  const stride = Math.max(1, Math.floor(pixels.length / 65536));
  const sample = new Float32Array(Math.ceil(pixels.length / stride));
  let n = 0;
  for (let p = 0; p < pixels.length; p += stride) sample[n++] = pixels[p]!;
  const sorted = sample.subarray(0, n).sort();
  const lo = sorted[Math.floor(LOW_PERCENTILE * (n - 1))]!;
  const hi = sorted[Math.ceil(HIGH_PERCENTILE * (n - 1))]!;
  return [lo, hi > lo ? hi : lo + 1];
}

/** Reduction factor so that the long side still has at least `inputSize` pixels. */
export function reductionFactor(columns: number, rows: number, inputSize: number): number {
  return Math.max(1, Math.floor(Math.max(columns, rows) / inputSize));
}

/**
 * Normalises and area-averages a radiograph. Reduced pixel (i, j) covers original pixels
 * [f i, f i + f) x [f j, f j + f), so x_reduced = x_original / f exactly (trailing pixels that do not
 * fill a block are dropped, which moves no coordinate).
 */
export function prepareImage(r: Radiograph, inputSize: number): PreparedImage {
  const { columns, rows, pixels } = r;
  const factor = reductionFactor(columns, rows, inputSize);
  const width = Math.floor(columns / factor), height = Math.floor(rows / factor);
  const [lo, hi] = intensityRange(pixels);
  const scale = 1 / ((hi - lo) * factor * factor);
  const data = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let dj = 0; dj < factor; dj++) {
      const src = (j * factor + dj) * columns;
      const dst = j * width;
      for (let i = 0; i < width; i++) {
        let s = 0;
        const base = src + i * factor;
        for (let di = 0; di < factor; di++) s += pixels[base + di]!;
        data[dst + i] += s;
      }
    }
  }
  const offset = lo * factor * factor;
  for (let p = 0; p < data.length; p++) {
    const v = (data[p]! - offset) * scale;
    data[p] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { data, width, height, factor, columns, rows };
}

/**
 * A batch of network inputs (N, 1, size, size): image k resampled so that original coordinates p go to
 * originalToInput[k](p). Outside the image is 0 (black), like the letterbox padding.
 */
export function inputBatch(images: PreparedImage[], originalToInput: Affine[], size: number): Tensor {
  return scope(() => {
    const parts = images.map((img, k) => {
      const toReduced: Affine = [1 / img.factor, 0, 0, 0, 1 / img.factor, 0];
      const dstToSrc = compose(toReduced, invert(originalToInput[k]!));
      const theta = samplingTheta(dstToSrc, img.width, img.height, size, size);
      const src = tensor(img.data, [1, 1, img.height, img.width]);
      const grid = F.affineGrid(tensor(Float32Array.from(theta), [1, 2, 3]), [1, 1, size, size], false);
      return F.gridSample(src, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false });
    });
    return parts.length === 1 ? parts[0]! : cat(parts, 0);
  });
}
