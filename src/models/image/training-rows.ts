/**
 * The training rows of an image model (the cohort's rows: image, follow-up, event, clinical values)
 * joined to a preprocessed variant's images by file_name, as the single network, the ensemble's
 * members and the member child processes (member-process.ts) all need them.
 */
import { InputError } from '../../util/errors.js';
import { countEvents } from '../survival-data.js';
import type { ClinicalValues } from './clinical.js';
import type { VariantFolder } from './variant-folder.js';

export interface ImageTrainingRow {
  /** The cohort file's image cell, matched to the variant's index.json file_name. */
  image: string;
  time: number;
  event: 0 | 1;
  clinical: ClinicalValues;
  /** Names the row in error messages (e.g. "data.csv line 12"), never a patient id. */
  where: string;
}

export interface PreparedRows {
  imageRow: Int32Array;
  time: Float64Array;
  event: Uint8Array;
  nevent: number;
}

/** Each row's image in the variant, with time and event; an image the variant lacks is an InputError naming the row. */
export function prepareRows(variant: VariantFolder, rows: ImageTrainingRow[]): PreparedRows {
  const byFile = new Map(variant.index.rows.map((r, i) => [r.file_name, i]));
  const imageRow = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const k = byFile.get(r.image);
    if (k === undefined) throw new InputError(`${r.where}: image "${r.image}" is not in ${variant.dir}/index.json (left out by preprocessing?)`);
    imageRow[i] = k;
  });
  const time = Float64Array.from(rows, (r) => r.time);
  const event = Uint8Array.from(rows, (r) => r.event);
  const nevent = countEvents(event);
  if (nevent < 4) throw new InputError(`the training rows have ${nevent} events; an image model needs more to learn and validate`);
  return { imageRow, time, event, nevent };
}

