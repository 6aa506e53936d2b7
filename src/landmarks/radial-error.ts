/**
 * Radial error between two readings of the same L1-L5 points, in millimetres, and its clinical
 * summary per vertebra (mean radial error, SD, the share within 2 mm and 4 mm, the largest). The
 * detector's evaluation (a prediction against the truth) and the agreement of two annotators (one
 * reading against another) are the same arithmetic; both call these.
 */
import { KEYPOINT_NAMES, NUM_KEYPOINTS } from '../keypoints/index.js';
import { mean, sd } from '../stats/descriptive.js';

export interface RadialSummary {
  mre_mm: number;
  sd_mm: number;
  sdr_2mm: number;
  sdr_4mm: number;
  max_mm: number;
}

/**
 * The distance of each keypoint of `a` from the same keypoint of `b`, in mm: x differences scaled by
 * the column spacing, y by the row spacing. `strideA` / `strideB`: 3 for COCO triplets (x, y, v), 2
 * for (x, y).
 */
export function radialErrorsMm(
  a: ArrayLike<number>, b: ArrayLike<number>, spacing: [number, number], strideA = 3, strideB = 3,
): number[] {
  const [rowMm, colMm] = spacing;
  const out: number[] = [];
  for (let k = 0; k < NUM_KEYPOINTS; k++) {
    const dx = (a[strideA * k]! - b[strideB * k]!) * colMm;
    const dy = (a[strideA * k + 1]! - b[strideB * k + 1]!) * rowMm;
    out.push(Math.hypot(dx, dy));
  }
  return out;
}

const within = (xs: number[], mm: number): number => xs.filter((e) => e <= mm).length / xs.length;

export function summariseRadial(errors: number[]): RadialSummary {
  // One error has no spread: SD 0, as the detector's evaluation has always reported it.
  return { mre_mm: mean(errors), sd_mm: errors.length > 1 ? sd(errors) : 0, sdr_2mm: within(errors, 2), sdr_4mm: within(errors, 4), max_mm: Math.max(...errors) };
}

/** errorsByKeypoint[k]: every image's error of keypoint k. Per vertebra, and all points together. */
export function summarisePerVertebra(errorsByKeypoint: number[][]): { perVertebra: Record<string, RadialSummary>; all: RadialSummary } {
  const perVertebra: Record<string, RadialSummary> = {};
  KEYPOINT_NAMES.forEach((name, k) => {
    perVertebra[name] = summariseRadial(errorsByKeypoint[k]!);
  });
  return { perVertebra, all: summariseRadial(errorsByKeypoint.flat()) };
}
