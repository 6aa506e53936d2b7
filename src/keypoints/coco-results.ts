/**
 * A COCO results list, as `spinesurv landmarks predict` writes it ([{image_id, file_name, category_id,
 * keypoints, score, flags}], CLI.md), read into one entry per detection. Its keypoints follow L1..L5 by
 * position (a results list carries no names) and are in the COCO convention already. An entry the
 * detector could not fill (flagged, malformed keypoints) is an entry with a problem; an entry without
 * an image_id stops the read.
 */
import { InputError } from '../util/errors.js';
import type { KeypointEntry } from './entry.js';
import { isFiniteNumberArray, isObject } from './json-shape.js';
import { missingKeypoints, unlabelledKeypoints, type Keypoints } from './keypoints.js';
import { NUM_KEYPOINTS } from './names.js';

export function readResultsList(list: unknown[], path: string): KeypointEntry[] {
  return list.map((r, i): KeypointEntry => {
    const where = `entry ${i}`;
    if (!isObject(r) || typeof r.image_id !== 'number') throw new InputError(`${path}: ${where} has no numeric image_id`);
    if (r.file_name !== undefined && typeof r.file_name !== 'string') throw new InputError(`${path}: ${where}: "file_name" must be a string`);
    if (r.flags !== undefined && !Array.isArray(r.flags)) throw new InputError(`${path}: ${where}: "flags" must be an array`);
    const flags = Array.isArray(r.flags) ? r.flags.map(String) : [];
    const keypoints = isFiniteNumberArray(r.keypoints, 3 * NUM_KEYPOINTS) ? fromTriplets(r.keypoints) : null;
    const missing = keypoints === null ? [] : missingKeypoints(keypoints);
    const problem = flags.length > 0
      ? `flagged by the keypoint detector: ${flags.join(', ')}`
      : keypoints === null
        ? `${where}: keypoints must be ${3 * NUM_KEYPOINTS} numbers (x, y, v for L1..L5)`
        : missing.length > 0 ? `keypoint${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing` : null;
    return {
      imageId: r.image_id,
      fileName: typeof r.file_name === 'string' ? r.file_name : '',
      where,
      width: null,
      height: null,
      pixelSpacing: null,
      keypoints,
      area: null,
      bbox: null,
      annotationWhere: where,
      score: typeof r.score === 'number' && Number.isFinite(r.score) ? r.score : null,
      flags,
      problem,
    };
  });
}

function fromTriplets(raw: number[]): Keypoints {
  const keypoints = unlabelledKeypoints();
  for (let k = 0; k < NUM_KEYPOINTS; k++) {
    if (raw[3 * k + 2] === 0) continue;
    keypoints[2 * k] = raw[3 * k];
    keypoints[2 * k + 1] = raw[3 * k + 1];
  }
  return keypoints;
}
