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
import { supersampleFactor, type OutputLayout } from './geometry.js';

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
 * false) for the map `matrix` (input pixels -> output pixels), reading a width x height radiograph.
 */
export function samplingTheta(matrix: Matrix2x3, side: number, width: number, height: number): Matrix2x3 {
  const fromOutputUnits: Matrix2x3 = [
    [side / 2, 0, side / 2],
    [0, side / 2, side / 2],
  ];
  const toInputUnits: Matrix2x3 = [
    [2 / width, 0, -1],
    [0, 2 / height, -1],
  ];
  return composeAffine(toInputUnits, composeAffine(invertAffine(matrix), fromOutputUnits));
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
 *
 * Images of the same size share engine calls; each is sampled from its whole pixel grid (no crop),
 * and grouped by its own sub-sampling factor, so the float32 arithmetic of an image depends on that
 * image alone: it gives the same bytes in a cohort batch as alone in `spinesurv predict`.
 */
export function sampleBatch(images: SampleImage[], layouts: OutputLayout[][], labels: boolean[], device = 'cpu'): SampledOutput[][] {
  const out: SampledOutput[][] = layouts.map(() => new Array<SampledOutput>(images.length));
  const bySize = new Map<string, number[]>();
  images.forEach((img, i) => {
    const key = `${img.rows}x${img.columns}`;
    bySize.set(key, [...(bySize.get(key) ?? []), i]);
  });
  for (const members of bySize.values()) {
    const results = sameSizeBatch(members.map((i) => images[i]), layouts.map((l) => members.map((i) => l[i])), labels, device);
    results.forEach((perVariant, v) => perVariant.forEach((r, j) => (out[v][members[j]] = r)));
  }
  return out;
}

function sameSizeBatch(images: SampleImage[], layouts: OutputLayout[][], labels: boolean[], device: string): SampledOutput[][] {
  const B = images.length;
  const { rows: height, columns: width } = images[0];
  const plane = width * height;
  const needLabels = labels.some((x) => x);
  const data = new Float32Array(B * plane);
  const labelData = needLabels ? new Float32Array(B * plane) : null;
  images.forEach((img, i) => {
    data.set(img.pixels, i * plane);
    if (labelData !== null) {
      if (!img.labels) throw new Error('internal: labels requested for an image without a label map');
      labelData.set(img.labels, i * plane);
    }
  });
  return scope(() => {
    const input = tensor(data, [B, 1, height, width], { device });
    const labelInput = labelData === null ? null : tensor(labelData, [B, 1, height, width], { device });
    return layouts.map((variantLayouts, v) => {
      const out: SampledOutput[] = new Array<SampledOutput>(B);
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
            thetas.set(samplingTheta(matrix, side, width, height).flat(), (g * n + j) * 6);
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
