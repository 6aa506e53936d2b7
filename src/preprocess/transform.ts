/**
 * The transform of every output image, as stored in transforms.json (CLI.md): the affine map from the
 * original radiograph's pixel coordinates (COCO: x right, y down, the centre of the top-left pixel at
 * 0.5, 0.5) to the output image's pixel coordinates (same convention). With it a point, or a heatmap
 * computed on the output (Grad-CAM), maps back onto the radiograph.
 */
import { F, scope, tensor } from '../torch/index.js';
import { applyAffine, invertAffine, type Matrix2x3, type Point } from './affine.js';
import { KEYPOINT_NAMES } from '../keypoints/index.js';

export type Transform = { matrix: Matrix2x3 } | { patches: { vertebra: string; matrix: Matrix2x3 }[] };

export function transformFromMatrices(matrices: Matrix2x3[]): Transform {
  if (matrices.length === 1) return { matrix: matrices[0] };
  return { patches: matrices.map((matrix, k) => ({ vertebra: KEYPOINT_NAMES[k], matrix })) };
}

/** The radiograph -> output matrices of a transform, one per output channel. */
export function transformMatrices(t: Transform): Matrix2x3[] {
  return 'matrix' in t ? [t.matrix] : t.patches.map((p) => p.matrix);
}

function channelMatrix(t: Transform, channel: number): Matrix2x3 {
  const all = transformMatrices(t);
  const m = all[channel];
  if (m === undefined) throw new RangeError(`transform has ${all.length} channel(s); no channel ${channel}`);
  return m;
}

/** A radiograph point (COCO pixels) in output pixels; `channel` picks the patch (0 = L1). */
export function mapPointForward(t: Transform, point: Point, channel = 0): Point {
  return applyAffine(channelMatrix(t, channel), point);
}

/** An output point (pixels of channel `channel`) back on the radiograph. */
export function mapPointBack(t: Transform, point: Point, channel = 0): Point {
  return applyAffine(invertAffine(channelMatrix(t, channel)), point);
}

/**
 * Warps a heatmap computed on the output ([C, S, S] row-major, C = channels of the transform) back
 * onto the radiograph's rows x columns grid (bilinear; 0 where no channel covers a pixel). Where
 * patches overlap, the larger value wins.
 */
export function warpHeatmapBack(heatmap: Float32Array, side: number, t: Transform, rows: number, columns: number, device = 'cpu'): Float32Array {
  const matrices = transformMatrices(t);
  const C = matrices.length;
  if (heatmap.length !== C * side * side) {
    throw new RangeError(`heatmap has ${heatmap.length} values; expected ${C} x ${side} x ${side}`);
  }
  return scope(() => {
    // For each radiograph pixel centre, the output position it came from: the forward matrix, in the
    // normalised units of affine_grid (radiograph grid as "output", heatmap as "input").
    const thetas = new Float32Array(C * 6);
    matrices.forEach((m, c) => {
      const toUnits = (v: number, n: number): number => (2 * v) / n - 1;
      // x_out = a x + b y + tx with x = (u + 1) columns / 2, y = (w + 1) rows / 2.
      const row = (r: 0 | 1): number[] => {
        const [a, b, tr] = m[r];
        const x0 = a * (columns / 2) + b * (rows / 2) + tr; // at u = w = 0
        return [(2 / side) * a * (columns / 2), (2 / side) * b * (rows / 2), toUnits(x0, side)];
      };
      thetas.set([...row(0), ...row(1)], c * 6);
    });
    const theta = tensor(thetas, [C, 2, 3], { device });
    const grid = F.affineGrid(theta, [C, 1, rows, columns]);
    const maps = tensor(heatmap, [C, 1, side, side], { device });
    const warped = F.gridSample(maps, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false });
    return (C === 1 ? warped : warped.max(0)).reshape([rows * columns]).toFloat32Array();
  });
}
