/**
 * The radiographs a cohort names, one per row, as preprocessing needs them: the cohort file's line,
 * the image cell as written (the key by which later stages join a variant's rows to the cohort) and
 * the image and mask files. The study hands over its own reading of the cohort (through study.json's
 * columns and cohort_file); `spinesurv preprocess --cohort DIR` reads DIR/cohort.csv's `image` and
 * `mask` columns here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cohortFilePath } from '../util/cohort-format.js';
import { CsvTable, isMissingCell, readCsv } from '../util/csv.js';
import { InputError } from '../util/errors.js';

export interface CohortImageRow {
  /** Line of the cohort file (the header is line 1). */
  line: number;
  /** The image cell as written ('' when the row names none). */
  image: string;
  imagePath: string;
  /** The vertebral-body mask file, or null when the row names none. */
  maskPath: string | null;
}

export interface CohortImageList {
  /** The cohort file the rows come from (hashed into the output's manifest, named in messages). */
  file: string;
  /** Whether the cohort has a mask column at all (a column of empty cells counts as present). */
  maskColumn: boolean;
  rows: CohortImageRow[];
}

/** DIR/cohort.csv's `image` and optional `mask` columns (CLI.md cohort format). */
export function readCohortImageList(cohortDir: string): CohortImageList {
  const file = join(cohortDir, 'cohort.csv');
  if (!existsSync(file)) throw new InputError(`${file}: not found (--cohort must be a folder holding cohort.csv)`);
  const table = readCsv(file);
  const images = table.strings('image');
  const masks = table.has('mask') ? table.strings('mask') : null;
  return {
    file,
    maskColumn: masks !== null,
    rows: images.map((image, i) => {
      const mask = masks?.[i];
      return {
        line: CsvTable.lineOf(i),
        image: isMissingCell(image) ? '' : image,
        imagePath: isMissingCell(image) ? '' : cohortFilePath(cohortDir, image),
        maskPath: mask === undefined || isMissingCell(mask) ? null : cohortFilePath(cohortDir, mask),
      };
    }),
  };
}
