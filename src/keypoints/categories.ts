/**
 * Which COCO categories hold the L1..L5 points, and where each point sits in their annotations. Tools
 * write categories their own way: CVAT gives every label a category (the skeleton with its point
 * names, each point label again with an empty list), Label Studio merges the point labels into one
 * category named "default" after its other labels. So points are found by name, never by position:
 * any category with a non-empty `keypoints` list must name L1..L5, each once, in any order.
 */
import { InputError } from '../util/errors.js';
import { isObject } from './json-shape.js';
import { KEYPOINT_NAMES, isKeypointName } from './names.js';

export interface KeypointCategory {
  id: number;
  name: string;
  /** slot[p] is the L1..L5 index of the p-th name in the category's `keypoints` list. */
  slots: number[];
}

export function keypointCategories(categories: unknown[], path: string): Map<number, KeypointCategory> {
  const found = new Map<number, KeypointCategory>();
  categories.forEach((c, i) => {
    if (!isObject(c) || !Array.isArray(c.keypoints) || c.keypoints.length === 0) return;
    const where = `${path}: categories[${i}]${typeof c.name === 'string' ? ` ("${c.name}")` : ''}`;
    if (typeof c.id !== 'number') throw new InputError(`${where}: needs a numeric "id"`);
    const names = c.keypoints.map(String);
    const slots = names.map((name) => {
      if (!isKeypointName(name)) {
        throw new InputError(`${where}: keypoint "${name}" is not one of ${KEYPOINT_NAMES.join(', ')} (points are found by these label names)`);
      }
      return KEYPOINT_NAMES.indexOf(name);
    });
    const twice = names.find((name, p) => names.indexOf(name) !== p);
    if (twice !== undefined) throw new InputError(`${where}: keypoint "${twice}" is named twice`);
    const absent = KEYPOINT_NAMES.filter((name) => !names.includes(name));
    if (absent.length > 0) throw new InputError(`${where}: keypoints ${names.join(', ')} lack ${absent.join(', ')}`);
    if (found.has(c.id)) throw new InputError(`${where}: id ${c.id} is used by an earlier category`);
    found.set(c.id, { id: c.id, name: typeof c.name === 'string' ? c.name : '', slots });
  });
  if (found.size === 0) {
    throw new InputError(`${path}: no category lists keypoint names (categories[].keypoints); one must name ${KEYPOINT_NAMES.join(', ')}`);
  }
  return found;
}
