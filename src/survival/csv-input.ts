/**
 * Reading survival data from a CSV table for the CLI, with errors that name the file, the column and
 * the spreadsheet line (CLI.md): times must be numbers >= 0, events exactly 0 or 1, covariates
 * numeric; a missing value in a used column is an error unless dropMissing asks to skip such rows.
 */
import { CsvTable, isMissingCell } from '../util/csv.js';
import { InputError } from '../util/errors.js';

export interface SurvivalColumns {
  time: Float64Array;
  event: Uint8Array;
  /** Numeric columns in the order asked for. */
  numeric: Float64Array[];
  /** String columns (strata, groups) in the order asked for. */
  labels: string[][];
  /** Rows kept and rows dropped for missing values. */
  n: number;
  dropped: number;
}

export interface SurvivalColumnRequest {
  time: string;
  event: string;
  numeric?: string[];
  labels?: string[];
  dropMissing?: boolean;
}


export function readSurvivalColumns(table: CsvTable, req: SurvivalColumnRequest): SurvivalColumns {
  const numericNames = req.numeric ?? [];
  const labelNames = req.labels ?? [];
  const used = [req.time, req.event, ...numericNames, ...labelNames];
  for (const c of used) table.columnIndex(c); // unknown column -> InputError listing the columns
  let t = table;
  let dropped = 0;
  if (req.dropMissing) {
    const idx = used.map((c) => table.columnIndex(c));
    t = table.filterRows((i) => idx.every((j) => !isMissingCell(table.rows[i][j])));
    dropped = table.length - t.length;
  }
  if (t.length === 0) throw new InputError(`${table.source}: no rows${dropped ? ` left after dropping ${dropped} with missing values` : ''}`);
  // Line numbers must refer to the original file even after dropping rows.
  const lineOf = lineMap(table, t);
  const rename = (error: unknown): never => {
    if (error instanceof InputError && dropped > 0) {
      throw new InputError(error.message.replace(/line (\d+)/, (_, l: string) => `line ${lineOf(Number(l) - 2)}`));
    }
    throw error;
  };
  let time: Float64Array;
  let eventRaw: Float64Array;
  const numeric: Float64Array[] = [];
  try {
    time = t.numbers(req.time);
    eventRaw = t.numbers(req.event);
    for (const c of numericNames) numeric.push(t.numbers(c));
  } catch (error) {
    return rename(error);
  }
  for (let i = 0; i < time.length; i++) {
    if (time[i] < 0) throw new InputError(`${table.source}: column "${req.time}", line ${lineOf(i)}: negative time (${time[i]})`);
  }
  const event = new Uint8Array(eventRaw.length);
  for (let i = 0; i < eventRaw.length; i++) {
    const e = eventRaw[i];
    if (e !== 0 && e !== 1) throw new InputError(`${table.source}: column "${req.event}", line ${lineOf(i)}: event must be 0 or 1, got ${e}`);
    event[i] = e;
  }
  const labels = labelNames.map((c) => {
    const values = t.strings(c);
    values.forEach((v, i) => {
      if (isMissingCell(v)) throw new InputError(`${table.source}: column "${c}", line ${lineOf(i)}: missing value`);
    });
    return values;
  });
  return { time, event, numeric, labels, n: t.length, dropped };
}

/** Maps a row index of the filtered table to the original file line. */
function lineMap(original: CsvTable, filtered: CsvTable): (row: number) => number {
  if (original === filtered) return (row) => CsvTable.lineOf(row);
  const positions = new Map<string[], number>();
  original.rows.forEach((r, i) => positions.set(r, i));
  return (row) => CsvTable.lineOf(positions.get(filtered.rows[row]) ?? row);
}
