/**
 * Covariate columns as a model sees them: a numeric column as it is; a text column (sex F/M, R's
 * celltype) as treatment-coded dummies, one per level other than the reference, named column + level
 * as R's model.matrix names them (sexM, celltypesmallcell). The reference is the first level in sorted
 * order (R's factor() on read.csv text; code-point order) unless given.
 */
import { capList, CsvTable } from '../util/csv.js';
import { InputError } from '../util/errors.js';

export interface FactorCoding {
  column: string;
  /** Every level, sorted; the reference first among them is not required. */
  levels: string[];
  reference: string;
  /** The dummy columns' names, in order (levels without the reference). */
  dummies: string[];
}

export interface DesignColumns {
  columns: Float64Array[];
  names: string[];
  factors: FactorCoding[];
}

/**
 * Whether a column holds text levels: no cell is a number. A column mixing numbers and text is taken
 * for a numeric column with a typo, and reading it as numbers names the first cell that is not one.
 */
function isTextColumn(table: CsvTable, column: string): boolean {
  try {
    table.numbers(column, { missing: 'nan' }); // the usual case, read from the bytes
    return false;
  } catch (error) {
    if (!(error instanceof InputError && / is not a number/.test(error.message))) throw error;
  }
  const j = table.columnIndex(column);
  let text = false;
  for (let i = 0; i < table.length; i++) {
    if (table.isMissing(i, j)) continue;
    if (Number.isFinite(Number(table.cell(i, j).trim()))) return false;
    text = true;
  }
  return text;
}

/** Sorted as R's sort() in the C locale (code points), so "F" < "M" and "adeno" < "large". */
function sortLevels(levels: Iterable<string>): string[] {
  return [...levels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function designFromColumns(table: CsvTable, covariates: string[], reference: Record<string, string>): DesignColumns {
  const seen = new Set<string>();
  for (const c of covariates) {
    if (seen.has(c)) throw new InputError(`covariate "${c}" is listed twice in --covariates`);
    seen.add(c);
  }
  for (const column of Object.keys(reference)) {
    if (!seen.has(column)) throw new InputError(`--reference ${column}=...: "${column}" is not one of the --covariates`);
  }
  const out: DesignColumns = { columns: [], names: [], factors: [] };
  for (const column of covariates) {
    if (!isTextColumn(table, column)) {
      if (reference[column] !== undefined) throw new InputError(`--reference ${column}=${reference[column]}: column "${column}" holds numbers, not text levels`);
      out.columns.push(table.numbers(column));
      out.names.push(column);
      continue;
    }
    const values = table.strings(column).map((v) => v.trim());
    const j = table.columnIndex(column);
    values.forEach((_, i) => {
      if (table.isMissing(i, j)) throw new InputError(`${table.source}: column "${column}", line ${table.lineOfRow(i)}: missing value`);
    });
    const levels = sortLevels(new Set(values));
    const ref = reference[column] ?? levels[0];
    if (!levels.includes(ref)) {
      throw new InputError(`--reference ${column}=${ref}: no such level in column "${column}" (levels: ${capList(levels)})`);
    }
    if (levels.length < 2) throw new InputError(`${table.source}: column "${column}" has one level only ("${ref}"): it cannot be a covariate`);
    const others = levels.filter((l) => l !== ref);
    const coding: FactorCoding = { column, levels, reference: ref, dummies: others.map((l) => column + l) };
    others.forEach((level, k) => {
      out.columns.push(Float64Array.from(values, (v) => (v === level ? 1 : 0)));
      out.names.push(coding.dummies[k]);
    });
    out.factors.push(coding);
  }
  const dup = out.names.find((n, k) => out.names.indexOf(n) !== k);
  if (dup !== undefined) throw new InputError(`two covariates are both named "${dup}" (a dummy of a text column and a column); rename one`);
  return out;
}

/** The dummy columns of one stored factor coding, for rows being scored (predict): an unseen level is refused. */
export function dummiesFor(table: CsvTable, coding: FactorCoding): Float64Array[] {
  const values = table.strings(coding.column).map((v) => v.trim());
  const known = new Set(coding.levels);
  values.forEach((v, i) => {
    if (!known.has(v)) {
      const what = v === '' || v === 'NA' ? 'missing value' : `level "${v}" was not seen when the model was fitted (levels: ${capList(coding.levels)})`;
      throw new InputError(`${table.source}: column "${coding.column}", line ${table.lineOfRow(i)}: ${what}`);
    }
  });
  return coding.levels.filter((l) => l !== coding.reference).map((level) => Float64Array.from(values, (v) => (v === level ? 1 : 0)));
}
