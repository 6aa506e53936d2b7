/**
 * A COCO keypoints file (images, annotations, categories) as spinesurv's synthetic cohort, CVAT
 * ("COCO Keypoints 1.0") and Label Studio ("COCO") write it, read into one entry per image. A
 * malformed image or annotation stops the read with an InputError naming the file and the entry; an
 * image without a usable annotation is an entry with a problem, for the caller to judge.
 */
import { InputError } from '../util/errors.js';
import { keypointCategories, type KeypointCategory } from './categories.js';
import type { KeypointEntry } from './entry.js';
import { isFiniteNumberArray, isObject } from './json-shape.js';
import { missingKeypoints, unlabelledKeypoints, type Keypoints } from './keypoints.js';
import { KEYPOINT_NAMES } from './names.js';

/**
 * The offset that brings a file's coordinates to the COCO convention. The synthetic cohort's
 * keypoints.json says in info.coordinates that it puts the centre of the top-left pixel at (0, 0);
 * such coordinates are shifted by +0.5. Any other file (CVAT's and Label Studio's included: both
 * measure from the image's top-left corner) is taken to be in the COCO convention.
 */
export function pixelCentreOffset(info: unknown): number {
  const text = isObject(info) ? String(info.coordinates ?? '') : '';
  return /top-left pixel is \(0, ?0\)/.test(text) ? 0.5 : 0;
}

interface Annotation {
  where: string;
  keypoints: Keypoints;
  area: number | null;
  bbox: [number, number, number, number] | null;
}

export function readCocoDocument(doc: Record<string, unknown>, path: string): { entries: KeypointEntry[]; shift: number } {
  const { images, annotations, categories } = doc;
  if (!Array.isArray(images) || !Array.isArray(annotations) || !Array.isArray(categories)) {
    throw new InputError(`${path}: a COCO keypoints file needs "images", "annotations" and "categories" arrays`);
  }
  const shift = pixelCentreOffset(doc.info);
  const byCategory = keypointCategories(categories, path);
  const categoryIds = new Set(categories.map((c) => (isObject(c) ? c.id : undefined)));
  const imageIds = new Map<number, string>();
  images.forEach((img, i) => {
    if (!isObject(img) || typeof img.id !== 'number' || typeof img.file_name !== 'string') {
      throw new InputError(`${path}: images[${i}] needs a numeric "id" and a "file_name"`);
    }
    const earlier = imageIds.get(img.id);
    if (earlier !== undefined) throw new InputError(`${path}: images[${i}] has id ${img.id}, as ${earlier} has`);
    imageIds.set(img.id, `images[${i}]`);
  });

  const byImage = new Map<number, Annotation[]>();
  annotations.forEach((a, i) => {
    const where = `annotations[${i}]`;
    if (!isObject(a)) throw new InputError(`${path}: ${where} is not an object`);
    const category = categoryOf(a, byCategory, categoryIds, `${path}: ${where}`);
    if (category === null) return; // a box, polygon or other label's annotation: not ours
    if (typeof a.image_id !== 'number' || !imageIds.has(a.image_id)) {
      throw new InputError(`${path}: ${where}: image_id ${JSON.stringify(a.image_id)} is not among the images`);
    }
    const parsed: Annotation = {
      where,
      keypoints: pointsOf(a.keypoints, category, shift, `${path}: ${where}`),
      area: typeof a.area === 'number' && a.area > 0 ? a.area : null,
      bbox: isFiniteNumberArray(a.bbox, 4) ? [a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]] : null,
    };
    byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), parsed]);
  });

  const entries = (images as Record<string, unknown>[]).map((img, i): KeypointEntry => {
    const anns = byImage.get(img.id as number) ?? [];
    const ps = img.pixel_spacing;
    const base = {
      imageId: img.id as number,
      fileName: img.file_name as string,
      where: `images[${i}]`,
      width: typeof img.width === 'number' && img.width > 0 ? img.width : null,
      height: typeof img.height === 'number' && img.height > 0 ? img.height : null,
      pixelSpacing: isFiniteNumberArray(ps, 2) && ps[0] > 0 && ps[1] > 0 ? [ps[0], ps[1]] as [number, number] : null,
      score: null,
      flags: [],
    };
    if (anns.length !== 1) {
      const problem = anns.length === 0
        ? 'no keypoint annotation for this image'
        : `${anns.length} keypoint annotations for this image (${anns.map((a) => a.where).join(', ')})`;
      return { ...base, keypoints: null, area: null, bbox: null, annotationWhere: null, problem };
    }
    const [a] = anns;
    const missing = missingKeypoints(a.keypoints);
    const problem = missing.length > 0 ? `keypoint${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing` : null;
    return { ...base, keypoints: a.keypoints, area: a.area, bbox: a.bbox, annotationWhere: a.where, problem };
  });
  return { entries, shift };
}

/**
 * The keypoint category of an annotation, or null for another label's annotation. A file with one
 * keypoint category may leave category_id out (hand-written files do).
 */
function categoryOf(
  a: Record<string, unknown>, byCategory: Map<number, KeypointCategory>, categoryIds: Set<unknown>, where: string,
): KeypointCategory | null {
  if (a.category_id === undefined && byCategory.size === 1) return [...byCategory.values()][0];
  if (typeof a.category_id === 'number') {
    const category = byCategory.get(a.category_id);
    if (category !== undefined) return category;
    if (categoryIds.has(a.category_id)) return null;
  }
  if (a.keypoints === undefined) return null;
  throw new InputError(`${where}: category_id ${JSON.stringify(a.category_id)} is not among the categories`);
}

/** x, y, v per name of the category, put in L1..L5 order; v = 0 marks a point as not labelled. */
function pointsOf(raw: unknown, category: KeypointCategory, shift: number, where: string): Keypoints {
  const n = category.slots.length;
  if (!isFiniteNumberArray(raw, 3 * n)) {
    const order = category.slots.map((s) => KEYPOINT_NAMES[s]).join(', ');
    throw new InputError(`${where}: "keypoints" must be ${3 * n} numbers (x, y, v for ${order}, the order of category "${category.name}")`);
  }
  const keypoints = unlabelledKeypoints();
  category.slots.forEach((slot, p) => {
    if (raw[3 * p + 2] === 0) return;
    keypoints[2 * slot] = raw[3 * p] + shift;
    keypoints[2 * slot + 1] = raw[3 * p + 1] + shift;
  });
  return keypoints;
}
