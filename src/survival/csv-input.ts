/**
 * Reading survival data from a CSV table for the CLI, with errors that name the file, the column and
 * the spreadsheet line (CLI.md): times must be numbers >= 0; events 0/1, or R's 1/2 coding (found and
 * said), or any code named by eventValue; a covariate column of text becomes treatment-coded dummies
 * as R's model.matrix makes them; a missing value in a used column is an error unless dropMissing asks
 * to skip such rows.
 */
import { CsvTable } from '../util/csv.js';
import { InputError } from '../util/errors.js';
import { designFromColumns, type FactorCoding } from './design-columns.js';

export interface SurvivalColumns {
  time: Float64Array;
  event: Uint8Array;
  /** Numeric columns in the order asked for. */
  numeric: Float64Array[];
  /** String columns (strata, groups) in the order asked for. */
  labels: string[][];
  /** The covariates' design columns (a text column expands to dummies) and their names, as R names them. */
  design: Float64Array[];
  designNames: string[];
  /** The text covariates: their levels and reference level. */
  factors: FactorCoding[];
  /** Rows kept and rows dropped for missing values. */
  n: number;
  dropped: number;
  /** What the reader decided for the user, to be said on stderr (e.g. the 1/2 event coding it found). */
  notes: string[];
}

export interface SurvivalColumnRequest {
  time: string;
  event: string;
  numeric?: string[];
  labels?: string[];
  /** Covariate columns: numbers, or text (dummy-coded). */
  covariates?: string[];
  /** Reference level per text covariate (default: the first level in sorted order, as R). */
  reference?: Record<string, string>;
  dropMissing?: boolean;
  /** The event column's code for an event; every other value is censoring (two values at most). */
  eventValue?: number;
}

/** The --drop-missing advice a missing-value error carries. */
const DROP_MISSING_HINT = ' (pass --drop-missing to leave out rows with a missing value)';

export function readSurvivalColumns(table: CsvTable, req: SurvivalColumnRequest): SurvivalColumns {
  const numericNames = req.numeric ?? [];
  const labelNames = req.labels ?? [];
  const covariateNames = req.covariates ?? [];
  const used = [req.time, req.event, ...numericNames, ...labelNames, ...covariateNames];
  const idx = used.map((c) => table.columnIndex(c)); // unknown column -> InputError listing the columns
  let t = table;
  let dropped = 0;
  if (req.dropMissing) {
    t = table.filterRows((i) => idx.every((j) => !table.isMissing(i, j)));
    dropped = table.length - t.length;
  }
  if (t.length === 0) throw new InputError(`${table.source}: no rows${dropped ? ` left after dropping ${dropped} with missing values` : ''}`);
  const withHint = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof InputError && error.message.endsWith(': missing value')) throw new InputError(error.message + DROP_MISSING_HINT);
      throw error;
    }
  };
  const time = withHint(() => t.numbers(req.time));
  const eventRaw = withHint(() => t.numbers(req.event));
  const numeric = numericNames.map((c) => withHint(() => t.numbers(c)));
  for (let i = 0; i < time.length; i++) {
    if (time[i] < 0) throw new InputError(`${table.source}: column "${req.time}", line ${t.lineOfRow(i)}: negative time (${time[i]})`);
  }
  const notes: string[] = [];
  const event = eventCodes(t, req, eventRaw, notes);
  const labels = labelNames.map((c) => {
    const j = t.columnIndex(c);
    const values = t.strings(c);
    for (let i = 0; i < values.length; i++) {
      if (t.isMissing(i, j)) throw new InputError(`${table.source}: column "${c}", line ${t.lineOfRow(i)}: missing value${DROP_MISSING_HINT}`);
    }
    return values;
  });
  const design = withHint(() => designFromColumns(t, covariateNames, req.reference ?? {}));
  return { time, event, numeric, labels, design: design.columns, designNames: design.names, factors: design.factors, n: t.length, dropped, notes };
}

/** 0/1 events; R's 1/2 coding (1 censored, 2 event) when the column holds only 1 and 2; or eventValue. */
function eventCodes(t: CsvTable, req: SurvivalColumnRequest, raw: Float64Array, notes: string[]): Uint8Array {
  const event = new Uint8Array(raw.length);
  const distinct = new Set<number>();
  for (const e of raw) if (distinct.size <= 3) distinct.add(e);
  if (req.eventValue !== undefined) {
    const v = req.eventValue;
    if (distinct.size > 2) {
      throw new InputError(`${t.source}: column "${req.event}" holds more than two codes (${[...distinct].slice(0, 3).join(', ')}, ...); --event-value ${v} needs one code for the event and one for censoring`);
    }
    if (!distinct.has(v)) throw new InputError(`${t.source}: column "${req.event}" never holds the event code ${v} given by --event-value`);
    for (let i = 0; i < raw.length; i++) event[i] = raw[i] === v ? 1 : 0;
    return event;
  }
  if (distinct.has(2) && [...distinct].every((e) => e === 1 || e === 2)) {
    notes.push(`column "${req.event}" is coded 1/2 as in R's Surv (1 censored, 2 event): reading 2 as the event (--event-value 2 says so explicitly)`);
    for (let i = 0; i < raw.length; i++) event[i] = raw[i] === 2 ? 1 : 0;
    return event;
  }
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i];
    if (e !== 0 && e !== 1) {
      throw new InputError(`${t.source}: column "${req.event}", line ${t.lineOfRow(i)}: event must be 0 or 1, got ${e} (for another coding name the event's code with --event-value)`);
    }
    event[i] = e;
  }
  return event;
}
