/**
 * Reading COCO keypoint files (ground truth, e.g. a cohort's keypoints.json) and COCO results lists
 * (what `landmarks predict` writes), checked so that a bad file is one error naming the file and the
 * entry. Coordinates are returned in the COCO convention (centre of the top-left pixel at 0.5, 0.5).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';

export const KEYPOINT_NAMES = ['L1', 'L2', 'L3', 'L4', 'L5'] as const;
export const NUM_KEYPOINTS = KEYPOINT_NAMES.length;

export interface TruthImage {
  id: number;
  fileName: string;
  width: number;
  height: number;
  /** [row, column] spacing in mm, when the file gives it. */
  pixelSpacing: [number, number] | null;
}

export interface TruthAnnotation {
  imageId: number;
  /** x1, y1, v1, ... in the COCO pixel convention. */
  keypoints: number[];
  area: number;
}

export interface KeypointsFile {
  path: string;
  images: TruthImage[];
  annotations: TruthAnnotation[];
  byImageId: Map<number, { image: TruthImage; annotation: TruthAnnotation | undefined }>;
}

/** One entry of a COCO results list (CLI.md, `landmarks predict`). */
export interface KeypointResult {
  image_id: number;
  file_name: string;
  category_id: number;
  keypoints: number[];
  score: number;
  flags: string[];
  /** Per keypoint heatmap confidence in [0, 1] (written by landmarks predict; not COCO). */
  confidence?: number[];
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The offset that brings a file's coordinates to the COCO convention. The synthetic cohort's
 * keypoints.json says in info.coordinates that it puts the centre of the top-left pixel at (0, 0);
 * such coordinates are shifted by +0.5. Any other file is taken to be in the COCO convention.
 */
export function pixelCentreOffset(info: unknown): number {
  const text = typeof info === 'object' && info !== null ? String((info as Record<string, unknown>).coordinates ?? '') : '';
  return /top-left pixel is \(0, ?0\)/.test(text) ? 0.5 : 0;
}

function isFiniteArray(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export function readKeypointsFile(path: string): KeypointsFile {
  const data = readJson(path) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.images) || !Array.isArray(data.annotations)) {
    throw new InputError(`${path}: not a COCO keypoints file (needs "images" and "annotations" lists)`);
  }
  const offset = pixelCentreOffset(data.info);
  const images: TruthImage[] = (data.images as Record<string, unknown>[]).map((im, k) => {
    if (typeof im?.id !== 'number' || typeof im.file_name !== 'string' || typeof im.width !== 'number' || typeof im.height !== 'number') {
      throw new InputError(`${path}: images[${k}] needs numeric id, width, height and a file_name`);
    }
    const ps = im.pixel_spacing;
    return {
      id: im.id, fileName: im.file_name, width: im.width, height: im.height,
      pixelSpacing: isFiniteArray(ps, 2) && ps[0] > 0 && ps[1] > 0 ? [ps[0], ps[1]] : null,
    };
  });
  const ids = new Set(images.map((im) => im.id));
  const annotations: TruthAnnotation[] = (data.annotations as Record<string, unknown>[]).map((a, k) => {
    if (typeof a?.image_id !== 'number' || !ids.has(a.image_id)) {
      throw new InputError(`${path}: annotations[${k}] names image_id ${String(a?.image_id)}, which is not among the images`);
    }
    if (!isFiniteArray(a.keypoints, 3 * NUM_KEYPOINTS)) {
      throw new InputError(`${path}: annotations[${k}] needs ${3 * NUM_KEYPOINTS} keypoint numbers (x, y, v for L1..L5)`);
    }
    if (typeof a.area !== 'number' || !(a.area > 0)) throw new InputError(`${path}: annotations[${k}] needs a positive area`);
    const kp = (a.keypoints as number[]).map((v, i) => (i % 3 === 2 ? v : v + offset));
    return { imageId: a.image_id, keypoints: kp, area: a.area };
  });
  const byImageId = new Map<number, { image: TruthImage; annotation: TruthAnnotation | undefined }>();
  for (const im of images) byImageId.set(im.id, { image: im, annotation: undefined });
  for (const a of annotations) byImageId.get(a.imageId)!.annotation = a;
  return { path, images, annotations, byImageId };
}

export function readResultsFile(path: string): KeypointResult[] {
  const data = readJson(path);
  if (!Array.isArray(data)) throw new InputError(`${path}: not a COCO results list (a JSON array of detections)`);
  return data.map((d: Record<string, unknown>, k) => {
    if (typeof d?.image_id !== 'number') throw new InputError(`${path}: entry ${k} has no numeric image_id`);
    if (!isFiniteArray(d.keypoints, 3 * NUM_KEYPOINTS)) throw new InputError(`${path}: entry ${k} needs ${3 * NUM_KEYPOINTS} keypoint numbers`);
    if (typeof d.score !== 'number' || !Number.isFinite(d.score)) throw new InputError(`${path}: entry ${k} has no numeric score`);
    return {
      image_id: d.image_id, file_name: typeof d.file_name === 'string' ? d.file_name : '', category_id: typeof d.category_id === 'number' ? d.category_id : 1,
      keypoints: d.keypoints as number[], score: d.score, flags: Array.isArray(d.flags) ? d.flags.map(String) : [],
    };
  });
}
