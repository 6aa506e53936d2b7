/**
 * The clinical spreadsheet `cohort import` joins the radiographs to: one row per patient, found by
 * its id column. Refused (exit 2, naming file, line and column) when the id column is absent, an id is
 * missing or given twice (a join on a repeated id would pair one radiograph with two outcomes), or the
 * file already has the `image` column the import adds. Messages name lines, never ids.
 */
import { InputError } from '../../util/errors.js';
import { capList, readCsv, type CsvTable } from '../../util/csv.js';

export interface ClinicalFile {
  table: CsvTable;
  /** Each data row's id (trimmed), in file order. */
  ids: string[];
  /** id -> data row index. */
  rowOf: Map<string, number>;
}

/** The column the import adds; the cohort format (docs/synthetic-cohort.md) names it so. */
export const IMAGE_COLUMN = 'image';

export function readClinicalFile(path: string, idColumn: string): ClinicalFile {
  const table = readCsv(path);
  if (!table.has(idColumn)) {
    throw new InputError(`${path}: line 1: no column "${idColumn}" for --id-column (columns: ${capList(table.header)})`);
  }
  if (table.has(IMAGE_COLUMN)) {
    throw new InputError(`${path}: line 1, column "${IMAGE_COLUMN}": the clinical file already has an image column; the import adds it (rename or drop that column)`);
  }
  const c = table.columnIndex(idColumn);
  const ids: string[] = [];
  const rowOf = new Map<string, number>();
  for (let i = 0; i < table.length; i++) {
    const id = table.cell(i, c).trim();
    if (id === '') throw new InputError(`${path}: line ${table.lineOfRow(i)}, column "${idColumn}": missing id`);
    const earlier = rowOf.get(id);
    if (earlier !== undefined) {
      throw new InputError(`${path}: line ${table.lineOfRow(i)}, column "${idColumn}": the same id as line ${table.lineOfRow(earlier)}; each patient needs one row`);
    }
    rowOf.set(id, i);
    ids.push(id);
  }
  if (ids.length === 0) throw new InputError(`${path}: no data rows`);
  return { table, ids, rowOf };
}
