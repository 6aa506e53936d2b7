/**
 * The radiographs `spinesurv annotate` offers: the rows of the cohort that the study would use (read
 * through study.json, as `spinesurv study` reads them), training split only unless asked for the
 * test split too (a separate reader study). Items are named by their cohort.csv line, never by
 * patient id or file name, which may carry one.
 */
import { readCohortRows, type Split } from '../../study/cohort.js';
import { cohortFilePath } from '../../util/cohort-format.js';
import type { StudyConfig } from '../../study/config.js';
import { InputError } from '../../util/errors.js';

export interface AnnotateItem {
  /** Position in the cohort order (the id the page and the API use). */
  index: number;
  /** The cohort file's line (header = 1). */
  line: number;
  split: Split;
  /** The image column as written (the keypoints file's file_name). */
  image: string;
  /** Where the file is. */
  path: string;
}

export function annotateItems(cohortDir: string, config: StudyConfig, includeTest: boolean): AnnotateItem[] {
  const reading = readCohortRows(cohortDir, config);
  const items: AnnotateItem[] = [];
  for (const row of reading.rows) {
    if (row.image === null || (row.split === 'test' && !includeTest)) continue;
    items.push({ index: items.length, line: row.line, split: row.split, image: row.image, path: cohortFilePath(cohortDir, row.image) });
  }
  if (items.length === 0) {
    throw new InputError(`${reading.file}: no ${includeTest ? '' : 'training-split '}row with a radiograph to annotate (${reading.problems.length} rows with problems: spinesurv cohort check names them)`);
  }
  return items;
}
