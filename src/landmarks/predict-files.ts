/**
 * Predicting keypoints for a list of image files or a cohort's split, written as a COCO results list
 * (CLI.md). Images are read a few at a time, so memory stays bounded on a whole archive.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { readRadiograph } from '../imaging/read-radiograph.js';
import type { Radiograph } from '../imaging/radiograph.js';
import { InputError } from '../util/errors.js';
import { NUM_KEYPOINTS } from '../keypoints/index.js';
import type { KeypointResult } from './coco.js';
import type { LandmarkModel } from './model.js';

export interface ImageToPredict {
  imageId: number;
  /** As written to the results' file_name. */
  fileName: string;
  path: string;
}

export interface PredictFilesResult {
  results: KeypointResult[];
  failures: { file_name: string; reason: string }[];
  /** Images the `refuse` rule turned away before the detector, with its reasons (not in results). */
  refused: { image_id: number; file_name: string; reasons: string[] }[];
}

export interface PredictFilesOptions {
  skipUnreadable: boolean;
  batchSize?: number;
  onProgress?: (done: number) => void;
  /**
   * Reasons an image cannot be a lateral lumbar radiograph, checked before the detector runs (empty:
   * go on). The caller passes the scorers' rule (models/image/quality.ts refusalReasons), which sits
   * above this folder; without it every readable image is predicted.
   */
  refuse?: (image: Radiograph) => string[];
}

/**
 * With `skipUnreadable`, an image that cannot be read is listed in failures and the rest are
 * predicted; otherwise it stops everything with an InputError naming the file.
 */
export async function predictFiles(
  model: LandmarkModel, images: ImageToPredict[], options: PredictFilesOptions,
): Promise<PredictFilesResult> {
  const results: KeypointResult[] = [];
  const failures: PredictFilesResult['failures'] = [];
  const refused: PredictFilesResult['refused'] = [];
  const batchSize = options.batchSize ?? 8;
  let done = 0;
  for (let start = 0; start < images.length; start += batchSize) {
    const chunk = images.slice(start, start + batchSize);
    const read: { item: ImageToPredict; r: Radiograph }[] = [];
    for (const item of chunk) {
      try {
        const r = await readRadiograph(item.path);
        const reasons = options.refuse?.(r) ?? [];
        if (reasons.length > 0) refused.push({ image_id: item.imageId, file_name: item.fileName, reasons });
        else read.push({ item, r });
      } catch (error) {
        const reason = (error as Error).message;
        if (!options.skipUnreadable) throw new InputError(reason.includes(item.path) ? reason : `${item.path}: ${reason}`);
        failures.push({ file_name: item.fileName, reason });
      }
    }
    const preds = model.predict(read.map((x) => x.r));
    preds.forEach((p, k) => {
      const keypoints: number[] = [];
      for (let j = 0; j < NUM_KEYPOINTS; j++) keypoints.push(round(p.keypoints[2 * j]!), round(p.keypoints[2 * j + 1]!), 1);
      results.push({
        image_id: read[k]!.item.imageId, file_name: read[k]!.item.fileName, category_id: 1, keypoints, score: round(p.score, 4), flags: p.flags,
        confidence: p.confidence.map((c) => round(c, 4)),
      });
    });
    done += chunk.length;
    options.onProgress?.(done);
  }
  return { results, failures, refused };
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The files of a list file: one path a line (blank lines and # comments skipped), relative to the list's folder. */
export function readImageList(path: string): ImageToPredict[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const files = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (files.length === 0) throw new InputError(`${path}: lists no image files`);
  return files.map((f, i) => ({ imageId: i + 1, fileName: f, path: isAbsolute(f) ? f : join(dirname(path), f) }));
}
