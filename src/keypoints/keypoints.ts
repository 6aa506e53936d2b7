/**
 * The Keypoints of one radiograph: x1, y1, ..., x5, y5 for L1..L5 in order, in COCO pixel coordinates
 * of the original image (the centre of the top-left pixel at 0.5, 0.5). A point that is not labelled
 * has NaN for both coordinates, so that no (0, 0) placeholder can pass for a position.
 */
import { KEYPOINT_NAMES, NUM_KEYPOINTS, type KeypointName } from './names.js';

export type Keypoints = Float64Array;

/** Keypoints with every point unlabelled. */
export function unlabelledKeypoints(): Keypoints {
  return new Float64Array(2 * NUM_KEYPOINTS).fill(Number.NaN);
}

/** The names of the points that are not labelled, in L1..L5 order. */
export function missingKeypoints(keypoints: Keypoints): KeypointName[] {
  return KEYPOINT_NAMES.filter((_, k) => !Number.isFinite(keypoints[2 * k]) || !Number.isFinite(keypoints[2 * k + 1]));
}

export function allLabelled(keypoints: Keypoints): boolean {
  return missingKeypoints(keypoints).length === 0;
}

/**
 * The COCO `keypoints` array (x, y, v per point): labelled points get visibility `v`, unlabelled ones
 * (0, 0, 0) as COCO writes them.
 */
export function cocoTriplets(keypoints: Keypoints, v = 2): number[] {
  const out: number[] = [];
  for (let k = 0; k < NUM_KEYPOINTS; k++) {
    const x = keypoints[2 * k]!;
    const y = keypoints[2 * k + 1]!;
    if (Number.isFinite(x) && Number.isFinite(y)) out.push(x, y, v);
    else out.push(0, 0, 0);
  }
  return out;
}
