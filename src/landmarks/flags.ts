/**
 * Quality flags: reasons not to trust a prediction, so that implausible points are not passed on
 * silently. Each flag is "<code>: <reason>". Thresholds are documented in docs/landmarks.md.
 */
import { KEYPOINT_NAMES } from '../keypoints/index.js';

/** A keypoint whose heatmap peak is below this is flagged (a trained peak is near 1). */
export const MIN_CONFIDENCE = 0.3;
/** A neighbour distance outside [LOW, HIGH] x the median neighbour distance is flagged. */
export const SPACING_LOW = 0.6;
export const SPACING_HIGH = 1.6;
/**
 * The L1 -> L5 axis further than this from vertical is flagged: upright lateral films put it within
 * about 30 degrees (positioning and lordosis; the synthetic cohort's largest is 29.5), an image turned
 * on its side near 90.
 */
export const MAX_TILT_DEG = 45;

/** points: x1, y1, ..., x5, y5 (image coordinates, y down). */
export function qualityFlags(points: ArrayLike<number>, confidence: number[]): string[] {
  const flags: string[] = [];
  const low = confidence.map((c, k) => ({ c, k })).filter(({ c }) => !(c >= MIN_CONFIDENCE));
  if (low.length > 0) {
    flags.push(`low_confidence: ${low.map(({ c, k }) => `${KEYPOINT_NAMES[k]} ${c.toFixed(2)}`).join(', ')} below ${MIN_CONFIDENCE}`);
  }
  const n = confidence.length;
  // Order: L1 above L5, and each vertebra further down the L1 -> L5 axis than the one before.
  const ux = points[2 * (n - 1)]! - points[0]!, uy = points[2 * (n - 1) + 1]! - points[1]!;
  const len = Math.hypot(ux, uy);
  if (!(uy > 0) || len === 0) {
    flags.push('order: L5 is not below L1 (the spine runs the wrong way or the points coincide)');
  } else {
    const tilt = (Math.atan2(Math.abs(ux), uy) * 180) / Math.PI;
    if (tilt > MAX_TILT_DEG) flags.push(`direction: the L1-L5 axis is ${tilt.toFixed(0)}° from vertical (more than ${MAX_TILT_DEG}°); the image may be turned`);
    const t = Array.from({ length: n }, (_, k) => ((points[2 * k]! - points[0]!) * ux + (points[2 * k + 1]! - points[1]!) * uy) / len);
    const bad: string[] = [];
    for (let k = 1; k < n; k++) if (!(t[k]! > t[k - 1]!)) bad.push(`${KEYPOINT_NAMES[k]} is not below ${KEYPOINT_NAMES[k - 1]}`);
    if (bad.length > 0) flags.push(`order: ${bad.join('; ')} along the spine`);
  }
  const gaps = Array.from({ length: n - 1 }, (_, k) => Math.hypot(points[2 * k + 2]! - points[2 * k]!, points[2 * k + 3]! - points[2 * k + 1]!));
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const odd = gaps.map((g, k) => ({ r: median > 0 ? g / median : NaN, k })).filter(({ r }) => !(r >= SPACING_LOW && r <= SPACING_HIGH));
  if (odd.length > 0) {
    flags.push(`spacing: ${odd.map(({ r, k }) => `${KEYPOINT_NAMES[k]}-${KEYPOINT_NAMES[k + 1]} is ${r.toFixed(2)}x the median neighbour distance`).join('; ')} (allowed ${SPACING_LOW}-${SPACING_HIGH})`);
  }
  return flags;
}
