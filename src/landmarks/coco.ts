/**
 * The keypoint detector's stricter reading of keypoint files, on top of the one reader in
 * src/keypoints: ground truth must be a COCO keypoints file in which every image the detector learns
 * from or is judged on has all five points and an object scale; predictions must be a COCO results
 * list (what `landmarks predict` writes) whose every entry has five points and a score. A file that
 * falls short is one InputError naming the file and the entry. Coordinates are in the COCO convention
 * (centre of the top-left pixel at 0.5, 0.5).
 */
import { InputError } from '../util/errors.js';
import { NUM_KEYPOINTS, allLabelled, cocoTriplets, readKeypoints, type KeypointsFile } from '../keypoints/index.js';

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

/** What the detector needs of one annotated image, to learn from it or to be judged on it. */
export interface DetectorTruth {
  imageId: number;
  fileName: string;
  /** x, y, v for L1..L5 (v = 2), COCO convention. */
  keypoints: number[];
  /** OKS's object scale s^2. */
  area: number;
  /** [row, column] mm per pixel from the file, or null (then the image's own spacing is used). */
  pixelSpacing: [number, number] | null;
}

/** A cohort's ground truth: a COCO keypoints file, never a results list (its points are predictions). */
export function readTruthFile(path: string): KeypointsFile {
  const file = readKeypoints(path);
  if (file.format !== 'coco-keypoints') {
    throw new InputError(`${path}: not a COCO keypoints file (needs "images", "annotations" and "categories"); a results list holds predictions, not truth`);
  }
  return file;
}

/**
 * The truth of one image, or an InputError naming the file and entry. The object scale is the
 * annotation's "area"; failing that its bbox's width x height, which is what CVAT itself writes as
 * the area of a skeleton and the only scale Label Studio's export gives.
 */
export function detectorTruth(file: KeypointsFile, imageId: number): DetectorTruth {
  const entry = file.byImageId.get(imageId);
  if (entry === undefined) throw new InputError(`${file.path}: no image has id ${imageId}`);
  const name = `${entry.where} (${entry.fileName})`;
  if (entry.keypoints === null || !allLabelled(entry.keypoints) || entry.problem !== null) {
    throw new InputError(`${file.path}: ${name}: ${entry.problem ?? 'no keypoints'}; the keypoint detector needs all five points (L1-L5)`);
  }
  const bbox = entry.bbox;
  const area = entry.area ?? (bbox !== null && bbox[2] * bbox[3] > 0 ? bbox[2] * bbox[3] : null);
  if (area === null) {
    throw new InputError(`${file.path}: ${entry.annotationWhere ?? name}: needs a positive "area" or a "bbox" (the object scale of OKS)`);
  }
  return { imageId, fileName: entry.fileName, keypoints: cocoTriplets(entry.keypoints), area, pixelSpacing: entry.pixelSpacing };
}

/** A results list of predictions, each with five points and a score (several per image are allowed). */
export function readResultsFile(path: string): KeypointResult[] {
  const file = readKeypoints(path);
  if (file.format !== 'coco-results') throw new InputError(`${path}: not a COCO results list (a JSON array of detections)`);
  return file.entries.map((e) => {
    if (e.keypoints === null || !allLabelled(e.keypoints)) {
      throw new InputError(`${path}: ${e.where} needs ${3 * NUM_KEYPOINTS} keypoint numbers, each point labelled (x, y, v > 0 for L1..L5)`);
    }
    if (e.score === null) throw new InputError(`${path}: ${e.where} has no numeric score`);
    // One category: the lumbar spine.
    return { image_id: e.imageId, file_name: e.fileName, category_id: 1, keypoints: cocoTriplets(e.keypoints, 1), score: e.score, flags: e.flags };
  });
}
