/**
 * Keypoints: the L1..L5 names, the Keypoints type, the one reader of keypoint files and the one lookup
 * of an image in them. This folder sits below landmarks/ and preprocess/ and imports neither.
 */
export { KEYPOINT_NAMES, NUM_KEYPOINTS, isKeypointName, type KeypointName } from './names.js';
export { allLabelled, cocoTriplets, missingKeypoints, unlabelledKeypoints, type Keypoints } from './keypoints.js';
export { normaliseImagePath } from './image-path.js';
export type { KeypointEntry } from './entry.js';
export { pixelCentreOffset } from './coco-document.js';
export { readKeypoints, type KeypointsFile, type KeypointsFormat } from './read.js';
export { requireEveryEntryMatched, unmatchedEntries } from './match.js';
