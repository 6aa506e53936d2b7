/**
 * The one reader of keypoint files: a COCO keypoints file (a cohort's keypoints.json, or a CVAT or
 * Label Studio export) or a COCO results list (what `landmarks predict` writes), told apart by shape.
 * Everything above (the detector's truth, preprocessing, the study's coverage check, `predict
 * --keypoints`) reads through here and finds images through the one lookup.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/csv.js';
import { readCocoDocument } from './coco-document.js';
import { readResultsList } from './coco-results.js';
import type { KeypointEntry } from './entry.js';
import { isObject } from './json-shape.js';
import { imageLookup, type ImageLookup } from './lookup.js';

export type KeypointsFormat = 'coco-keypoints' | 'coco-results';

export interface KeypointsFile {
  path: string;
  sha256: string;
  format: KeypointsFormat;
  /** Added to every coordinate in the file to reach the COCO convention (0.5 or 0). */
  shift: number;
  /** One per image (a COCO keypoints file) or per detection (a results list), in file order. */
  entries: KeypointEntry[];
  /** By image id (a results list: the first entry of each image_id). */
  byImageId: Map<number, KeypointEntry>;
  /**
   * The entry of `image` (a cohort's image column value, relative to `baseDir`, or an absolute path),
   * or undefined. An image listed twice has the problem "listed more than once" on both entries.
   */
  lookup(image: string, baseDir: string): KeypointEntry | undefined;
  /** Every entry naming `image`, in file order (more than one when the file lists it twice). */
  entriesFor(image: string, baseDir: string): KeypointEntry[];
}

export function readKeypoints(path: string): KeypointsFile {
  const bytes = readInputFile(path);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  let entries: KeypointEntry[];
  let shift = 0;
  let format: KeypointsFormat;
  if (Array.isArray(doc)) {
    format = 'coco-results';
    entries = readResultsList(doc, path);
  } else if (isObject(doc)) {
    format = 'coco-keypoints';
    ({ entries, shift } = readCocoDocument(doc, path));
  } else {
    throw new InputError(`${path}: expected a COCO keypoints file (an object with images, annotations and categories) or a COCO results list (an array)`);
  }
  const lookup = imageLookup(entries);
  markRepeatedImages(entries, lookup, path);
  const byImageId = new Map<number, KeypointEntry>();
  for (const e of entries) if (!byImageId.has(e.imageId)) byImageId.set(e.imageId, e);
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    format,
    shift,
    entries,
    byImageId,
    lookup: (image, baseDir) => lookup.entriesFor(image, baseDir)[0],
    entriesFor: (image, baseDir) => lookup.entriesFor(image, baseDir),
  };
}

/** An image listed twice (by the same normalised file name) cannot be trusted either way. */
function markRepeatedImages(entries: KeypointEntry[], lookup: ImageLookup, path: string): void {
  for (const e of entries) {
    if (e.fileName === '') continue;
    const same = lookup.entriesFor(e.fileName, '');
    if (same.length > 1) e.problem = `listed more than once in ${path} (${same.map((s) => s.where).join(', ')})`;
  }
}
