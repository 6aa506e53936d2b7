/**
 * Checks the image half of a cohort before anything is trained: the keypoint annotations exist and
 * cover some training-split radiographs (the detector learns from them), and every radiograph can be
 * read. A radiograph that cannot be read leaves its patient out, counted in the cohort flow and named
 * by cohort.csv line (never by patient_id or file name, which may carry one); a split none of whose
 * radiographs can be read stops the study.
 */
import { existsSync } from 'node:fs';
import { cohortFilePath } from '../util/cohort-format.js';
import { readRadiograph, RadiographReadError } from '../imaging/index.js';
import { readKeypoints, requireEveryEntryMatched, type KeypointEntry, type KeypointsFile } from '../keypoints/index.js';
import { InputError } from '../util/errors.js';
import { imagePathOf, type Cohort, type CohortRow, type Split } from './cohort.js';

export interface UnreadableImage {
  line: number;
  split: Split;
  reason: string;
}

export interface ImageCheck {
  /** Rows whose radiograph was read, in cohort order. */
  readable: CohortRow[];
  unreadable: UnreadableImage[];
}

export interface AnnotationCoverage {
  path: string;
  /** The keypoints file as read (the one reading every later stage uses). */
  file: KeypointsFile;
  /** cohort.csv line -> the entry with all five keypoints, training split only. */
  trainingAnnotated: Map<number, KeypointEntry>;
  /** Annotated rows of the test split: never used for training or choosing anything. */
  testAnnotated: number;
}

/** study.json's keypoints_file: relative to the cohort folder, or absolute. */
export function annotationsPath(cohort: Cohort, file: string): string {
  return cohortFilePath(cohort.dir, file);
}

/**
 * The keypoints file (study.json keypoints_file, default DIR/keypoints.json) must exist, be a COCO keypoints file whose every file_name names an image of the
 * cohort file (excluded rows included), and annotate all five keypoints on at least one
 * training-split radiograph; otherwise the study stops naming the file and what is wrong.
 */
export function checkAnnotations(cohort: Cohort, file: string): AnnotationCoverage {
  const path = annotationsPath(cohort, file);
  if (!existsSync(path)) {
    throw new InputError(
      `${path}: not found; the image models need L1-L5 keypoints annotated on training-split radiographs ` +
        '(a COCO keypoints file whose image file_name values match the cohort\'s image column), or set "images": {"enabled": false} in study.json for the clinical half only',
    );
  }
  const keypoints = readKeypoints(path);
  if (keypoints.format !== 'coco-keypoints') {
    throw new InputError(`${path}: not a COCO keypoints file (needs "images", "annotations" and "categories"); a results list holds predictions, not annotations`);
  }
  requireEveryEntryMatched(keypoints, cohort.allImages, cohort.dir, `${cohort.file}`);
  const trainingAnnotated = new Map<number, KeypointEntry>();
  let testAnnotated = 0;
  for (const row of cohort.rows) {
    if (row.image === null) continue;
    const entry = keypoints.lookup(row.image, cohort.dir);
    // Five keypoints, each labelled, on an image listed once.
    if (entry === undefined || entry.keypoints === null || entry.problem !== null) continue;
    if (row.split === 'train') trainingAnnotated.set(row.line, entry);
    else testAnnotated++;
  }
  if (trainingAnnotated.size === 0) {
    const train = cohort.rows.filter((r) => r.split === 'train').length;
    throw new InputError(
      `${path}: annotates none of the ${train} training-split radiographs with all five keypoints (L1-L5); ` +
        'the keypoint detector has nothing to learn from (file_name must match the cohort\'s image column, e.g. "images/x.dcm")',
    );
  }
  return { path, file: keypoints, trainingAnnotated, testAnnotated };
}

/**
 * Reads every radiograph once. Unreadable ones are listed with the reader's reason; a split left
 * without any readable radiograph stops the study before anything is trained.
 */
export async function checkImages(cohort: Cohort, onProgress?: (done: number, total: number) => void): Promise<ImageCheck> {
  const readable: CohortRow[] = [];
  const unreadable: UnreadableImage[] = [];
  let done = 0;
  for (const row of cohort.rows) {
    if (row.image === null) {
      unreadable.push({ line: row.line, split: row.split, reason: 'no image' });
      continue;
    }
    try {
      await readRadiograph(imagePathOf(cohort, row));
      readable.push(row);
    } catch (error) {
      if (!(error instanceof RadiographReadError)) throw error;
      unreadable.push({ line: row.line, split: row.split, reason: error.reason });
    }
    onProgress?.(++done, cohort.rows.length);
  }
  for (const split of ['train', 'test'] as const) {
    const total = cohort.rows.filter((r) => r.split === split).length;
    const bad = unreadable.filter((u) => u.split === split);
    if (total > 0 && bad.length === total) {
      throw new InputError(
        `${cohort.file}: none of the ${total} ${split}-split radiographs can be read (e.g. line ${bad[0].line}: ${bad[0].reason}); nothing was trained`,
      );
    }
  }
  return { readable, unreadable };
}
