/**
 * Checks the image half of a cohort before anything is trained: the keypoint annotations exist and
 * cover some training-split radiographs (the detector learns from them), and every radiograph can be
 * read. A radiograph that cannot be read leaves its patient out, counted in the cohort flow and named
 * by cohort.csv line (never by patient_id or file name, which may carry one); a split none of whose
 * radiographs can be read stops the study.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { readRadiograph, RadiographReadError } from '../imaging/index.js';
import { InputError } from '../util/errors.js';
import type { Cohort, CohortRow, Split } from './cohort.js';

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
  /** cohort.csv line -> the annotation's keypoints (x1, y1, v1, ... as in the file), training split only. */
  trainingAnnotated: Map<number, number[]>;
  /** Annotated rows of the test split: never used for training or choosing anything. */
  testAnnotated: number;
}

/** The cohort's image column value as keypoints.json names it (relative, forward slashes). */
export function imageKey(file: string): string {
  return normalize(file).replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * DIR/keypoints.json must exist and annotate all five keypoints on at least one training-split
 * radiograph; otherwise the study stops naming the file and what is missing.
 */
export function checkAnnotations(cohort: Cohort, file = 'keypoints.json'): AnnotationCoverage {
  const path = join(cohort.dir, file);
  if (!existsSync(path)) {
    throw new InputError(
      `${path}: not found; the image models need L1-L5 keypoints annotated on training-split radiographs ` +
        '(a COCO keypoints file whose image file_name values match the cohort\'s image column), or set "images": {"enabled": false} in study.json for the clinical half only',
    );
  }
  let data: { images?: unknown; annotations?: unknown };
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data.images) || !Array.isArray(data.annotations)) {
    throw new InputError(`${path}: not a COCO keypoints file (needs "images" and "annotations" lists)`);
  }
  const fileById = new Map<number, string>();
  for (const image of data.images as { id?: unknown; file_name?: unknown }[]) {
    if (typeof image?.id === 'number' && typeof image.file_name === 'string') fileById.set(image.id, imageKey(image.file_name));
  }
  const keypointsByFile = new Map<string, number[]>();
  for (const a of data.annotations as { image_id?: unknown; keypoints?: unknown }[]) {
    const kp = a?.keypoints;
    const name = typeof a?.image_id === 'number' ? fileById.get(a.image_id) : undefined;
    // Five keypoints, each labelled (v > 0) with finite coordinates.
    if (name === undefined || !Array.isArray(kp) || kp.length !== 15) continue;
    const complete = [0, 1, 2, 3, 4].every((k) => Number.isFinite(kp[3 * k]) && Number.isFinite(kp[3 * k + 1]) && kp[3 * k + 2] > 0);
    if (complete) keypointsByFile.set(name, kp as number[]);
  }
  const trainingAnnotated = new Map<number, number[]>();
  let testAnnotated = 0;
  for (const row of cohort.rows) {
    if (row.image === null) continue;
    const kp = keypointsByFile.get(imageKey(row.image));
    if (kp === undefined) continue;
    if (row.split === 'train') trainingAnnotated.set(row.line, kp);
    else testAnnotated++;
  }
  if (trainingAnnotated.size === 0) {
    const train = cohort.rows.filter((r) => r.split === 'train').length;
    throw new InputError(
      `${path}: annotates none of the ${train} training-split radiographs with all five keypoints (L1-L5); ` +
        'the keypoint detector has nothing to learn from (file_name must match the cohort\'s image column, e.g. "images/x.dcm")',
    );
  }
  return { path, trainingAnnotated, testAnnotated };
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
    const path = isAbsolute(row.image) ? row.image : join(cohort.dir, row.image);
    try {
      await readRadiograph(path);
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
