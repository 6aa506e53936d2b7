/**
 * INTERIM patch cutter, until `spinesurv preprocess` (issue: preprocessing variants) is on main: cuts
 * the five L1..L5 body patches around given keypoints, so that the image models can be trained and a
 * new radiograph scored now. It writes the same variant-folder format preprocess will, and the
 * model records these parameters, so a model trained on it scores new images the same way.
 *
 * Geometry: the spine axis runs from the L1 to the L5 keypoint; each patch is a square of side
 * `sideFactor` x (mean L1..L5 spacing) centred on its keypoint, turned so that the axis points down
 * the patch, sampled bilinearly to size x size (after an area average when the patch is more than
 * twice the output size, so that a 3000 px image does not alias). Intensities are min-max
 * normalised over the five patches together (the relative brightness of the bodies, which carries
 * bone density, is kept), then stored as uint8.
 */
import { F, noGrad, scope, tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import type { Radiograph } from '../../imaging/index.js';
import type { Affine } from './variant-folder.js';

export const INTERIM_PATCHES = 'interim-patches';
export const VERTEBRAE = ['L1', 'L2', 'L3', 'L4', 'L5'] as const;

export interface PatchParameters {
  method: typeof INTERIM_PATCHES;
  /** Output side in pixels. */
  size: number;
  /** Patch side over the mean spacing of consecutive keypoints. */
  sideFactor: number;
}

export const DEFAULT_PATCH_PARAMETERS: PatchParameters = { method: INTERIM_PATCHES, size: 64, sideFactor: 1.0 };

/** Maps from original pixel coordinates (COCO convention) to each patch's pixel coordinates. */
export function patchTransforms(keypoints: ArrayLike<number>, p: PatchParameters, source: string): Affine[] {
  if (keypoints.length !== 10 || !Array.from(keypoints).every(Number.isFinite)) {
    throw new InputError(`${source}: needs 5 finite keypoints (x, y for L1..L5)`);
  }
  const dx = keypoints[8] - keypoints[0];
  const dy = keypoints[9] - keypoints[1];
  const length = Math.hypot(dx, dy);
  if (!(length > 8)) throw new InputError(`${source}: the L1 and L5 keypoints are ${length.toFixed(1)} px apart, too close to cut patches`);
  const ey = [dx / length, dy / length];
  const ex = [ey[1], -ey[0]];
  const side = (p.sideFactor * length) / 4;
  const s = p.size / side;
  return VERTEBRAE.map((_, k) => {
    const cx = keypoints[2 * k];
    const cy = keypoints[2 * k + 1];
    return [
      [s * ex[0], s * ex[1], p.size / 2 - s * (ex[0] * cx + ex[1] * cy)],
      [s * ey[0], s * ey[1], p.size / 2 - s * (ey[0] * cx + ey[1] * cy)],
    ];
  });
}

/** Inverse of a 2x3 affine map. */
export function invertAffine(m: Affine): Affine {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine map is singular');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [[ia, ib, -(ia * tx + ib * ty)], [ic, id, -(ic * tx + id * ty)]];
}

/** The five patches (uint8, 5 x size x size, L1 first) and their transforms. */
export function cutPatches(image: Radiograph, keypoints: ArrayLike<number>, p: PatchParameters, source: string): { pixels: Uint8Array; transforms: Affine[] } {
  const transforms = patchTransforms(keypoints, p, source);
  const S = p.size;
  const pool = Math.max(1, Math.floor(1 / Math.hypot(transforms[0][0][0], transforms[0][0][1]))); // original px per output px
  const pixels = noGrad(() =>
    scope(() => {
      let img = tensor(image.pixels, [1, 1, image.rows, image.columns]);
      if (pool >= 2) img = F.avgPool2d(img, pool);
      const [h, w] = [img.shape[2], img.shape[3]];
      // Sampling grid in grid_sample's [-1, 1] coordinates (align_corners = false): x_n = 2 x / (pool w) - 1.
      const grid = new Float32Array(5 * S * S * 2);
      transforms.forEach((m, k) => {
        const inv = invertAffine(m);
        for (let i = 0; i < S; i++) {
          for (let j = 0; j < S; j++) {
            const u = j + 0.5, v = i + 0.5;
            const x = inv[0][0] * u + inv[0][1] * v + inv[0][2];
            const y = inv[1][0] * u + inv[1][1] * v + inv[1][2];
            const o = ((k * S + i) * S + j) * 2;
            grid[o] = (2 * x) / (pool * w) - 1;
            grid[o + 1] = (2 * y) / (pool * h) - 1;
          }
        }
      });
      const sampled = F.gridSample(img.expand([5, 1, h, w]), tensor(grid, [5, S, S, 2]), { mode: 'bilinear', paddingMode: 'border', alignCorners: false });
      const lo = sampled.min().item();
      const hi = sampled.max().item();
      const scaled = hi > lo ? sampled.sub(lo).mul(255 / (hi - lo)) : sampled.mul(0);
      return scaled.round().clamp(0, 255).to('uint8').toBytes();
    }),
  );
  return { pixels, transforms };
}
