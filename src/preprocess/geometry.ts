/**
 * Where each output image comes from: the affine map from the radiograph (COCO pixel coordinates, the
 * centre of the top-left pixel at 0.5, 0.5) to the output image, the region of interest kept in the
 * output (the rest is zero padding), and the mask labels that belong to it. docs/preprocess.md draws
 * the layouts.
 *
 * Full variants: L1 goes to (S/2, S m / h) and the L1->L5 axis points straight down. `similarity`
 * also scales so that L5 lands at (S/2, S (1 + m) / h); `rigid` keeps one fixed scale for every
 * radiograph (built for rigidReferenceDistance), so L5 lands on the axis at its own distance. The
 * output square spans h = 1 + 2m L1-L5 lengths for full-l1l5, and h = 0.75 + 2m for full-l1l4 (L1 to
 * where L4 sits on an evenly spaced spine, plus the margins), so full-l1l4 is a crop of the same
 * aligned frame. The region of interest is the box around the variant's keypoints widened by m L1-L5
 * lengths on every side; outside it the output is zero (the letterbox padding).
 *
 * Patches: vertebra k is centred in its own square, turned so that the local spine axis (from the
 * keypoint above to the one below; one-sided at L1 and L5) points down, with a side of (1 + 2m) times
 * its mean distance to its neighbouring keypoints. Rigid patches use the global L1->L5 axis and a
 * fixed side of (1 + 2m) rigidReferenceDistance / 4.
 */
import { applyAffine, axisAlignedSimilarity, type Matrix2x3, type Point } from './affine.js';
import { outputSide, type PreprocessParams } from './params.js';

/** A rectangle in output pixel coordinates (edges): x0 <= x < x1, y0 <= y < y1. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OutputLayout {
  side: number;
  /** One map per output channel (1 for the full variants, 5 for patches): radiograph -> output. */
  matrices: Matrix2x3[];
  /** The region kept in each channel's output. */
  rois: Rect[];
  /** Mask labels (1..5 = L1..L5) that count as "inside" for each channel. */
  maskLabels: number[][];
  /** Input pixels per output pixel, per channel (> 1 means down-sampling). */
  inputPerOutput: number[];
}

export function keypoint(kp: ArrayLike<number>, k: number): Point {
  return [kp[2 * k], kp[2 * k + 1]];
}

const dist = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

/** Output-frame extent of the full variants, in L1-L5 lengths: [top, bottom] (L1 at 0, L5 at 1). */
function fullExtent(params: PreprocessParams): { top: number; bottom: number; count: number } {
  const m = params.margin;
  const count = params.variant === 'full-l1l4' ? 4 : 5;
  return { top: -m, bottom: (count === 5 ? 1 : 0.75) + m, count };
}

function fullLayout(kp: ArrayLike<number>, params: PreprocessParams): OutputLayout {
  const S = params.size;
  const m = params.margin;
  const l1 = keypoint(kp, 0);
  const l5 = keypoint(kp, 4);
  const length = dist(l1, l5);
  const { top, bottom, count } = fullExtent(params);
  const h = bottom - top;
  const unit = params.align === 'rigid' ? (params.rigidReferenceDistance as number) : length;
  const scale = S / (h * unit);
  const matrix = axisAlignedSimilarity(l1, [l5[0] - l1[0], l5[1] - l1[1]], [S / 2, (S * m) / h], scale);
  const pad = m * scale * length;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < count; k++) {
    const [x, y] = applyAffine(matrix, keypoint(kp, k));
    x0 = Math.min(x0, x - pad);
    x1 = Math.max(x1, x + pad);
    y0 = Math.min(y0, y - pad);
    y1 = Math.max(y1, y + pad);
  }
  const roi = { x0: Math.max(0, x0), y0: Math.max(0, y0), x1: Math.min(S, x1), y1: Math.min(S, y1) };
  const labels = Array.from({ length: count }, (_, k) => k + 1);
  return { side: S, matrices: [matrix], rois: [roi], maskLabels: [labels], inputPerOutput: [1 / scale] };
}

function patchLayout(kp: ArrayLike<number>, params: PreprocessParams): OutputLayout {
  const P = params.patchSize;
  const m = params.margin;
  const points = [0, 1, 2, 3, 4].map((k) => keypoint(kp, k));
  const matrices: Matrix2x3[] = [];
  const inputPerOutput: number[] = [];
  for (let k = 0; k < 5; k++) {
    const above = points[Math.max(0, k - 1)];
    const below = points[Math.min(4, k + 1)];
    let axis: Point;
    let spacing: number;
    if (params.align === 'rigid') {
      axis = [points[4][0] - points[0][0], points[4][1] - points[0][1]];
      spacing = (params.rigidReferenceDistance as number) / 4;
    } else {
      axis = [below[0] - above[0], below[1] - above[1]];
      const neighbours = [k > 0 ? dist(points[k], above) : null, k < 4 ? dist(points[k], below) : null].filter((d): d is number => d !== null);
      spacing = neighbours.reduce((a, b) => a + b, 0) / neighbours.length;
    }
    const side = spacing * (1 + 2 * m);
    const scale = P / side;
    matrices.push(axisAlignedSimilarity(points[k], axis, [P / 2, P / 2], scale));
    inputPerOutput.push(1 / scale);
  }
  return {
    side: P,
    matrices,
    rois: matrices.map(() => ({ x0: 0, y0: 0, x1: P, y1: P })),
    maskLabels: matrices.map((_, k) => [k + 1]),
    inputPerOutput,
  };
}

/** The layout of one radiograph's output for these parameters (keypoints: x1, y1, ..., x5, y5). */
export function outputLayout(kp: ArrayLike<number>, params: PreprocessParams): OutputLayout {
  const layout = params.variant === 'patches' ? patchLayout(kp, params) : fullLayout(kp, params);
  if (layout.side !== outputSide(params)) throw new Error('internal: layout side mismatch');
  return layout;
}

/** Samples per output pixel along each axis so that samples are at most one input pixel apart. */
export function supersampleFactor(inputPerOutput: number[]): number {
  const worst = Math.max(...inputPerOutput);
  return Math.min(16, Math.max(1, Math.ceil(worst - 1e-9)));
}
