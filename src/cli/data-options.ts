/**
 * Options shared by every command that reads a data CSV: the field separator, R's event coding and
 * the reference level of text covariates, declared once so that each command spells them alike.
 */
import type { OptionSpec, ParsedArgs } from './args.js';
import { parseDelimiter, readCsv, type CsvTable } from '../util/csv.js';
import { UsageError } from '../util/errors.js';

export const delimiterOption: Record<string, OptionSpec> = {
  delimiter: { type: 'string', description: 'field separator: ",", ";" or "tab" (default: the one the header row uses)', placeholder: 'SEP' },
};

export const eventValueOption: Record<string, OptionSpec> = {
  'event-value': { type: 'string', description: "the event column's code for an event, every other code censoring (R's 1/2 coding is found by itself)", placeholder: 'V' },
};

export const referenceOption: Record<string, OptionSpec> = {
  reference: { type: 'string', description: 'reference level of a text covariate, e.g. sex=F (default: first level in sorted order, as R)', placeholder: 'COL=LEVEL,...' },
};

/** Reads --data with --delimiter. */
export function readDataCsv(a: ParsedArgs, option = 'data'): CsvTable {
  const d = a.optionalString('delimiter');
  try {
    return readCsv(a.string(option), { delimiter: d === undefined ? undefined : parseDelimiter(d) });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('--delimiter')) throw new UsageError(error.message);
    throw error;
  }
}

/** --reference sex=F,celltype=large as a map. */
export function referenceLevels(a: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of a.optionalList('reference') ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--reference takes COL=LEVEL (e.g. sex=F), got "${item}"`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

export function eventValue(a: ParsedArgs): number | undefined {
  return a.optionalNumber('event-value');
}
