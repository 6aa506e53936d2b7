/**
 * The geometry on the tensor engine: every output square of a batch of radiographs is read with
 * affine_grid + grid_sample (bilinear, zero padding), the same code on CPU and GPU.
 *
 * Anti-aliasing: when an output pixel covers more than one input pixel, it is sampled on a k x k
 * sub-grid (k = ceil(input pixels per output pixel), so samples are at most one input pixel apart) and
 * the k x k samples are averaged (avg_pool2d): the output pixel is the mean of the radiograph over its
 * own footprint (a box filter turned with the output frame) instead of one bilinear sample that lets
 * detail finer than the output grid fold back as moire. docs/preprocess.md shows it on a test pattern.
 *
 * Which output pixels lie on the radiograph is decided from the map itself (normalise.ts), not sampled.
 */
import { F, scope, tensor, type Tensor } from '../torch/index.js';
import { composeAffine, invertAffine, type Matrix2x3 } from './affine.js';
import { inputFootprint, supersampleFactor, type OutputLayout } from './geometry.js';

export interface SampleImage {
  /** Row-major intensities, rows x columns. */
  pixels: Float32Array;
  rows: number;
  columns: number;
  /** Label map (0 background, 1..5 = L1..L5), rows x columns; needed only for masked outputs. */
  labels?: Uint8Array | null;
}

export interface SampledOutput {
  /** Mean intensity over each output pixel's footprint, [n, side, side] (n = channels of the layout). */
  values: Float32Array;
  /** Nearest-neighbour labels at each output pixel centre, or null when not asked for. */
  labels: Uint8Array | null;
}

/**
 * The `theta` of affine_grid (output [-1, 1] coordinates -> input [-1, 1] coordinates, align_corners
 * false) for the map `matrix` (input pixels -> output pixels), reading from a crop whose top-left
 * pixel is (x0, y0) of the radiograph, stored at the top-left of a width x height tensor.
 */
export function samplingTheta(matrix: Matrix2x3, side: number, crop: { x0: number; y0: number }, width: number, height: number): Matrix2x3 {
  const fromOutputUnits: Matrix2x3 = [
    [side / 2, 0, side / 2],
    [0, side / 2, side / 2],
  ];
  const toCrop: Matrix2x3 = [
    [1, 0, -crop.x0],
    [0, 1, -crop.y0],
  ];
  const toInputUnits: Matrix2x3 = [
    [2 / width, 0, -1],
    [0, 2 / height, -1],
  ];
  return composeAffine(toInputUnits, composeAffine(toCrop, composeAffine(invertAffine(matrix), fromOutputUnits)));
}

/**
 * affine_grid(theta, [N, 1, H, W], align_corners = false), built from broadcast products instead of
 * the batched matrix product affine_grid uses: the same numbers (to float rounding), several times
 * faster on a CPU libtorch without an optimised BLAS (test/preprocess checks it against F.affineGrid).
 */
export function affineGridBroadcast(theta: Tensor, n: number, height: number, width: number, device = 'cpu'): Tensor {
  const xs = new Float32Array(width);
  for (let j = 0; j < width; j++) xs[j] = (2 * j + 1) / width - 1;
  const ys = new Float32Array(height);
  for (let i = 0; i < height; i++) ys[i] = (2 * i + 1) / height - 1;
  const x = tensor(xs, [1, 1, width, 1], { device });
  const y = tensor(ys, [1, height, 1, 1], { device });
  const column = (c: number): Tensor => theta.select(2, c).reshape([n, 1, 1, 2]);
  return x.mul(column(0)).add(column(2)).add(y.mul(column(1)));
}

/**
 * Samples `layouts[v][i]` (variant v of image i) for a batch of images. Every image must have a
 * layout for every variant; `labels[v]` says whether variant v needs the label maps.
 * Returns [variant][image].
 */
export function sampleBatch(images: SampleImage[], layouts: OutputLayout[][], labels: boolean[], device = 'cpu'): SampledOutput[][] {
  const B = images.length;
  if (B === 0) return layouts.map(() => []);
  const crops = images.map((img, i) => inputFootprint(layouts.map((l) => l[i]), img.rows, img.columns));
  const width = Math.max(...crops.map((c) => c.x1 - c.x0));
  const height = Math.max(...crops.map((c) => c.y1 - c.y0));
  const plane = width * height;
  const needLabels = labels.some((x) => x);
  const data = new Float32Array(B * plane);
  const labelData = needLabels ? new Float32Array(B * plane) : null;
  images.forEach((img, i) => {
    const c = crops[i];
    const w = c.x1 - c.x0;
    for (let y = c.y0; y < c.y1; y++) {
      const src = y * img.columns;
      const dst = i * plane + (y - c.y0) * width;
      data.set(img.pixels.subarray(src + c.x0, src + c.x1), dst);
      if (labelData !== null) {
        if (!img.labels) throw new Error('internal: labels requested for an image without a label map');
        const ldst = i * plane + (y - c.y0) * width;
        for (let x = 0; x < w; x++) labelData[ldst + x] = img.labels[src + c.x0 + x];
      }
    }
  });
  return scope(() => {
    const input = tensor(data, [B, 1, height, width], { device });
    const labelInput = labelData === null ? null : tensor(labelData, [B, 1, height, width], { device });
    return layouts.map((variantLayouts, v) => {
      const out: SampledOutput[] = new Array<SampledOutput>(B);
      // Images are grouped by their sub-sampling factor, which depends on each image's own scale only,
      // so an image gives the same bytes whatever else is in its batch.
      const groups = new Map<number, number[]>();
      variantLayouts.forEach((layout, i) => {
        const k = supersampleFactor(layout.inputPerOutput);
        groups.set(k, [...(groups.get(k) ?? []), i]);
      });
      for (const [k, members] of [...groups].sort((a, b) => a[0] - b[0])) {
        const side = variantLayouts[members[0]].side;
        const n = variantLayouts[members[0]].matrices.length;
        const G = members.length;
        const thetas = new Float32Array(G * n * 6);
        members.forEach((i, g) => {
          variantLayouts[i].matrices.forEach((matrix, j) => {
            thetas.set(samplingTheta(matrix, side, crops[i], width, height).flat(), (g * n + j) * 6);
          });
        });
        scope(() => {
          const theta = tensor(thetas, [G * n, 2, 3], { device });
          const index = tensor(Int32Array.from(members), [G], { device });
          const groupInput = G === B ? input : input.indexSelect(0, index);
          const grid = affineGridBroadcast(theta, G * n, side * k, side * k, device).reshape([G, n * side * k, side * k, 2]);
          let sampled = F.gridSample(groupInput, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false });
          if (k > 1) sampled = F.avgPool2d(sampled, k);
          const flat = sampled.toFloat32Array();
          let labelFlat: Float32Array | null = null;
          if (labels[v] && labelInput !== null) {
            const coarse = k === 1 ? grid : affineGridBroadcast(theta, G * n, side, side, device).reshape([G, n * side, side, 2]);
            const groupLabels = G === B ? labelInput : labelInput.indexSelect(0, index);
            labelFlat = F.gridSample(groupLabels, coarse, { mode: 'nearest', paddingMode: 'zeros', alignCorners: false }).toFloat32Array();
          }
          const size = n * side * side;
          members.forEach((i, g) => {
            out[i] = {
              values: flat.slice(g * size, (g + 1) * size),
              labels: labelFlat === null ? null : Uint8Array.from(labelFlat.subarray(g * size, (g + 1) * size)),
            };
          });
        });
      }
      return out;
    });
  }) as SampledOutput[][];
}

