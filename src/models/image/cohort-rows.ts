/**
 * The rows of a cohort (CLI.md format: DIR/cohort.csv with image, clinical columns, followup_years,
 * fracture, split) that an image model trains on or is evaluated on. Rows are named by their CSV line.
 */
import { join } from 'node:path';
import { CsvTable, readCsv } from '../../util/csv.js';
import { InputError } from '../../util/errors.js';
import type { ImageTrainingRow } from './training-rows.js';

export function readImageCohortRows(cohortDir: string, columns: string[], split: string | null, file = 'cohort.csv'): ImageTrainingRow[] {
  const table = readCsv(join(cohortDir, file));
  const image = table.strings('image');
  const time = table.numbers('followup_years');
  const event = table.numbers('fracture');
  const splits = split === null ? null : table.strings('split');
  const cells = columns.map((c) => table.strings(c));
  const out: ImageTrainingRow[] = [];
  for (let i = 0; i < table.length; i++) {
    if (splits !== null && splits[i] !== split) continue;
    const where = `${table.source} line ${CsvTable.lineOf(i)}`;
    if (event[i] !== 0 && event[i] !== 1) throw new InputError(`${where}: "fracture" must be 0 or 1`);
    if (!(time[i] > 0)) throw new InputError(`${where}: "followup_years" must be > 0`);
    const clinical: Record<string, string> = {};
    columns.forEach((c, j) => (clinical[c] = cells[j][i]));
    out.push({ image: image[i], time: time[i], event: event[i] as 0 | 1, clinical, where });
  }
  if (out.length === 0) throw new InputError(`${table.source}: no rows${split === null ? '' : ` with split "${split}"`}`);
  return out;
}
