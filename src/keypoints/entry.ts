/**
 * One image of a keypoints file, whichever format it came in, with its L1..L5 points (if any) and the
 * reason they cannot be used as they are (if any). Readers above this one (the detector, preprocessing,
 * the study) decide how strict to be from these fields.
 */
import type { Keypoints } from './keypoints.js';

export interface KeypointEntry {
  /** The image's id in the file: a COCO images[].id, or a results list's image_id. */
  imageId: number;
  /** The image's file_name exactly as the file writes it ('' when a results list gives none). */
  fileName: string;
  /** Where the image sits in the file, for messages: "images[3]" or "entry 3" (a results list). */
  where: string;
  width: number | null;
  height: number | null;
  /** [row, column] mm per pixel, when the file gives it (images[].pixel_spacing, a spinesurv extension). */
  pixelSpacing: [number, number] | null;
  /** L1..L5 (NaN for unlabelled points), or null when the image has no usable annotation. */
  keypoints: Keypoints | null;
  /** The annotation's "area" (COCO's object scale for OKS), or null when it gives none. */
  area: number | null;
  /** The annotation's "bbox" [x, y, width, height], or null when it gives none. */
  bbox: [number, number, number, number] | null;
  /** Where the annotation sits in the file ("annotations[4]"), or null. */
  annotationWhere: string | null;
  /** A results list's detection score (null in a COCO keypoints file). */
  score: number | null;
  /** A results list's quality flags (empty in a COCO keypoints file). */
  flags: string[];
  /** Why these keypoints cannot be used as they are (a point missing, flagged, listed twice), or null. */
  problem: string | null;
}
