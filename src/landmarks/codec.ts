/**
 * The keypoint codec, kept apart from the network (as mmpose does): keypoints -> Gaussian target
 * heatmaps for training, heatmaps -> sub-pixel keypoints and confidences for inference.
 * Heatmap coordinates are continuous with the centre of heatmap pixel (i, j) at (i + 0.5, j + 0.5).
 *
 * Decoding is DARK (Zhang et al. 2020, "Distribution-Aware Coordinate Representation for Human Pose
 * Estimation"): the heatmap is smoothed with the target's Gaussian, and the maximum is refined by one
 * Newton step on the log-heatmap, x = m - H^-1 g. The log of a Gaussian is a quadratic, so on a
 * Gaussian peak the step lands on the true centre (the unit test holds it to 0.05 px).
 */

export interface HeatmapShape {
  width: number;
  height: number;
}

/**
 * Writes one Gaussian per keypoint into `out` (numJoints x height x width, row-major), peak value 1
 * at the exact (sub-pixel) keypoint. `points` holds x1, y1, x2, y2, ... in heatmap coordinates.
 */
export function encodeHeatmaps(points: ArrayLike<number>, shape: HeatmapShape, sigma: number, out?: Float32Array): Float32Array {
  const { width, height } = shape;
  const joints = points.length / 2;
  const target = out ?? new Float32Array(joints * width * height);
  const inv = 1 / (2 * sigma * sigma);
  const gx = new Float32Array(width);
  const gy = new Float32Array(height);
  for (let k = 0; k < joints; k++) {
    const px = points[2 * k]!, py = points[2 * k + 1]!;
    for (let i = 0; i < width; i++) gx[i] = Math.exp(-((i + 0.5 - px) ** 2) * inv);
    for (let j = 0; j < height; j++) gy[j] = Math.exp(-((j + 0.5 - py) ** 2) * inv);
    const base = k * width * height;
    for (let j = 0; j < height; j++) {
      const row = base + j * width;
      const yj = gy[j]!;
      for (let i = 0; i < width; i++) target[row + i] = yj * gx[i]!;
    }
  }
  return target;
}

/** A separable Gaussian blur of one heatmap (zero outside), as DARK's modulation step. */
function blur(map: Float32Array, width: number, height: number, sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let r = -radius; r <= radius; r++) total += kernel[r + radius] = Math.exp(-(r * r) / (2 * sigma * sigma));
  for (let r = 0; r < kernel.length; r++) kernel[r]! /= total;
  const tmp = new Float64Array(width * height);
  const out = new Float64Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let s = 0;
      for (let r = -radius; r <= radius; r++) {
        const ii = i + r;
        if (ii >= 0 && ii < width) s += kernel[r + radius]! * map[j * width + ii]!;
      }
      tmp[j * width + i] = s;
    }
  }
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let s = 0;
      for (let r = -radius; r <= radius; r++) {
        const jj = j + r;
        if (jj >= 0 && jj < height) s += kernel[r + radius]! * tmp[jj * width + i]!;
      }
      out[j * width + i] = s;
    }
  }
  return out;
}

export interface DecodedKeypoints {
  /** x1, y1, ... in heatmap coordinates. */
  points: Float64Array;
  /** Per keypoint: the heatmap's maximum, clipped to [0, 1] (targets peak at 1). */
  confidence: number[];
}

/**
 * DARK's refinement of one heatmap's local maxima: `refine(i, j)` is the sub-pixel position of the
 * maximum at pixel (i, j). The smoothed map is made once, on the first refinement that needs it, so
 * refining several candidate peaks of one map (joint-decode.ts) costs one blur.
 */
export function peakRefiner(map: Float32Array, shape: HeatmapShape, sigma: number): (i: number, j: number) => [number, number] {
  const { width, height } = shape;
  let smooth: Float64Array | undefined;
  return (i, j) => {
    const peak = map[j * width + i]!;
    let x = i + 0.5, y = j + 0.5;
    if (i >= 1 && i < width - 1 && j >= 1 && j < height - 1 && peak > 0) {
      // Smoothing keeps the peak's height: scale back so the log stays well conditioned.
      smooth ??= blur(map, width, height, sigma);
      const s = smooth;
      const at = (ii: number, jj: number): number => Math.log(Math.max(s[jj * width + ii]!, 1e-10));
      const c = at(i, j);
      const dx = 0.5 * (at(i + 1, j) - at(i - 1, j));
      const dy = 0.5 * (at(i, j + 1) - at(i, j - 1));
      const dxx = at(i + 1, j) - 2 * c + at(i - 1, j);
      const dyy = at(i, j + 1) - 2 * c + at(i, j - 1);
      const dxy = 0.25 * (at(i + 1, j + 1) - at(i + 1, j - 1) - at(i - 1, j + 1) + at(i - 1, j - 1));
      const det = dxx * dyy - dxy * dxy;
      // A maximum has a negative-definite Hessian; elsewhere the Newton step is meaningless.
      if (det > 1e-12 && dxx < 0) {
        const ox = -(dyy * dx - dxy * dy) / det;
        const oy = -(dxx * dy - dxy * dx) / det;
        if (Math.abs(ox) <= 1.5 && Math.abs(oy) <= 1.5) {
          x += ox;
          y += oy;
        }
      }
    }
    return [x, y];
  };
}

/**
 * Heatmaps (numJoints x height x width, row-major) -> sub-pixel keypoints (DARK) and confidences,
 * each keypoint on its own heatmap's maximum (the first in row-major order on a tie).
 * `sigma` is the target Gaussian's, in heatmap pixels.
 */
export function decodeHeatmaps(heatmaps: Float32Array, numJoints: number, shape: HeatmapShape, sigma: number): DecodedKeypoints {
  const { width, height } = shape;
  const area = width * height;
  const points = new Float64Array(2 * numJoints);
  const confidence: number[] = [];
  for (let k = 0; k < numJoints; k++) {
    const map = heatmaps.subarray(k * area, (k + 1) * area);
    let best = 0;
    for (let p = 1; p < area; p++) if (map[p]! > map[best]!) best = p;
    confidence.push(Math.min(1, Math.max(0, map[best]!)));
    const [x, y] = peakRefiner(map, shape, sigma)(best % width, Math.floor(best / width));
    points[2 * k] = x;
    points[2 * k + 1] = y;
  }
  return { points, confidence };
}
