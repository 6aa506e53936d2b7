/**
 * Training and evaluation data from a cohort folder (CLI.md: DIR/cohort.csv with `image` and `split`
 * columns, DIR/keypoints.json in COCO format): the rows of one split, each image read, normalised and
 * reduced once and kept in memory with its keypoints (COCO convention). Images are found in the
 * keypoints file by the one lookup of src/keypoints.
 */
import { join } from 'node:path';
import { readRadiograph } from '../imaging/read-radiograph.js';
import { readCsv } from '../util/csv.js';
import { cohortFilePath } from '../util/cohort-format.js';
import { InputError } from '../util/errors.js';
import { NUM_KEYPOINTS, type KeypointsFile } from '../keypoints/index.js';
import { detectorTruth } from './coco.js';
import { prepareImage, type PreparedImage } from './image-input.js';

export interface Sample {
  imageId: number;
  fileName: string;
  image: PreparedImage;
  /** x1, y1, ..., x5, y5 (COCO pixel convention). */
  keypoints: Float64Array;
  area: number;
  /** [row, column] mm per pixel (from keypoints.json, else the image file), or null. */
  spacing: [number, number] | null;
}

export interface CohortImage {
  imageId: number;
  fileName: string;
  path: string;
}

/**
 * The images of `split` (all rows when split is null), in cohort.csv order, with their keypoints.json
 * ids. A row whose image the file does not list is an error, unless `onlyListed` (a file that is
 * being annotated, as `spinesurv annotate` retrains on, lists only what has been done so far).
 */
export function cohortImages(cohortDir: string, split: string | null, keypoints: KeypointsFile, onlyListed = false): CohortImage[] {
  const csvPath = join(cohortDir, 'cohort.csv');
  const table = readCsv(csvPath);
  const images = table.strings('image');
  const splits = split === null ? null : table.strings('split');
  const out: CohortImage[] = [];
  images.forEach((file, i) => {
    if (splits !== null && splits[i]!.trim() !== split) return;
    const entry = keypoints.lookup(file, cohortDir);
    if (entry === undefined && onlyListed) return;
    if (entry === undefined) throw new InputError(`${csvPath}: line ${i + 2}: image "${file}" is not among the images of ${keypoints.path}`);
    out.push({ imageId: entry.imageId, fileName: file, path: cohortFilePath(cohortDir, file) });
  });
  if (out.length === 0) throw new InputError(`${csvPath}: no rows${split === null ? '' : ` with split "${split}"`}`);
  return out;
}

/**
 * The images of `split` for a cohort without keypoints.json (nothing annotated yet): image ids are the
 * cohort.csv data rows counted from 1.
 */
export function cohortImagesUnannotated(cohortDir: string, split: string | null): CohortImage[] {
  const csvPath = join(cohortDir, 'cohort.csv');
  const table = readCsv(csvPath);
  const images = table.strings('image');
  const splits = split === null ? null : table.strings('split');
  const out = images.flatMap((file, i) => (splits !== null && splits[i]!.trim() !== split ? [] : [{ imageId: i + 1, fileName: file, path: cohortFilePath(cohortDir, file) }]));
  if (out.length === 0) throw new InputError(`${csvPath}: no rows${split === null ? '' : ` with split "${split}"`}`);
  return out;
}

/** Reads every image of the list (an unreadable one is an error naming it) with its truth. */
export async function loadSamples(
  images: CohortImage[], keypoints: KeypointsFile, inputSize: number, onProgress?: (done: number) => void,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const item of images) {
    const truth = detectorTruth(keypoints, item.imageId);
    let radiograph;
    try {
      radiograph = await readRadiograph(item.path);
    } catch (error) {
      throw new InputError(`${item.path}: cannot be read (${(error as Error).message})`);
    }
    const kp = new Float64Array(2 * NUM_KEYPOINTS);
    for (let k = 0; k < NUM_KEYPOINTS; k++) {
      kp[2 * k] = truth.keypoints[3 * k]!;
      kp[2 * k + 1] = truth.keypoints[3 * k + 1]!;
    }
    samples.push({
      imageId: item.imageId, fileName: item.fileName, image: prepareImage(radiograph, inputSize), keypoints: kp, area: truth.area,
      spacing: truth.pixelSpacing ?? radiograph.pixelSpacing,
    });
    onProgress?.(samples.length);
  }
  return samples;
}

export { readTruthFile } from './coco.js';
