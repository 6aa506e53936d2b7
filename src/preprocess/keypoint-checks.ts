/**
 * Whether five keypoints can be aligned on: all present and finite, inside the image (with some
 * slack), and in order down the spine (each next vertebra further along the L1->L5 direction).
 * Returns the reason to leave the image out, or null.
 */
import { KEYPOINT_NAMES } from '../keypoints/index.js';

export function checkKeypoints(kp: ArrayLike<number>, rows: number, columns: number): string | null {
  if (kp.length !== 10) return `expected 5 keypoints (10 coordinates), got ${kp.length / 2}`;
  for (let k = 0; k < 5; k++) {
    const x = kp[2 * k];
    const y = kp[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return `keypoint ${KEYPOINT_NAMES[k]} missing`;
    if (x < 0 || y < 0 || x > columns || y > rows) return `keypoint ${KEYPOINT_NAMES[k]} (${x}, ${y}) outside the ${columns}x${rows} image`;
  }
  const ax = kp[8] - kp[0];
  const ay = kp[9] - kp[1];
  const length = Math.hypot(ax, ay);
  if (!(length >= 4)) return `keypoints out of order: L1 and L5 are ${length.toFixed(1)} px apart`;
  for (let k = 0; k < 4; k++) {
    const step = ((kp[2 * k + 2] - kp[2 * k]) * ax + (kp[2 * k + 3] - kp[2 * k + 1]) * ay) / length;
    if (!(step > 0)) return `keypoints out of order: ${KEYPOINT_NAMES[k + 1]} is not below ${KEYPOINT_NAMES[k]} along the L1-L5 axis`;
  }
  return null;
}
