/**
 * CSV in and out (CLI.md): a header row, numbers may be quoted, empty cells are missing values, column
 * names matched exactly. Parsing is csv-parse's (RFC 4180 quoting done right); this file adds typed
 * column access whose errors name the file, the column and the row.
 *
 * Rows are numbered as a spreadsheet shows them: the header is line 1, the first data row is line 2.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from './errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** A missing value (CLI.md): an empty cell, or R's NA. */
export function isMissingCell(cell: string | undefined): boolean {
  const c = (cell ?? '').trim();
  return c === '' || c === 'NA';
}

export class CsvTable {
  constructor(
    readonly source: string,
    readonly header: string[],
    readonly rows: string[][],
  ) {}

  get length(): number {
    return this.rows.length;
  }

  has(column: string): boolean {
    return this.header.includes(column);
  }

  /** Index of a column, or an InputError listing the columns there are. */
  columnIndex(column: string): number {
    const i = this.header.indexOf(column);
    if (i < 0) {
      throw new InputError(`${this.source}: no column "${column}" (columns: ${this.header.join(', ')})`);
    }
    return i;
  }

  /** The line number a spreadsheet would show for data row i (0-based). */
  static lineOf(row: number): number {
    return row + 2;
  }

  strings(column: string): string[] {
    const c = this.columnIndex(column);
    return this.rows.map((r) => r[c] ?? '');
  }

  /**
   * A numeric column. Missing cells are an error naming the row, unless `missing: 'nan'` asks for NaN.
   */
  numbers(column: string, options: { missing?: 'error' | 'nan' } = {}): Float64Array {
    const c = this.columnIndex(column);
    const out = new Float64Array(this.rows.length);
    for (let i = 0; i < this.rows.length; i++) {
      const cell = (this.rows[i][c] ?? '').trim();
      if (isMissingCell(cell)) {
        if (options.missing === 'nan') {
          out[i] = NaN;
          continue;
        }
        throw new InputError(`${this.source}: column "${column}", line ${CsvTable.lineOf(i)}: missing value`);
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) {
        throw new InputError(
          `${this.source}: column "${column}", line ${CsvTable.lineOf(i)}: "${cell}" is not a number`,
        );
      }
      out[i] = value;
    }
    return out;
  }

  /** Keeps the rows for which keep(i) is true. */
  filterRows(keep: (row: number) => boolean): CsvTable {
    return new CsvTable(this.source, this.header, this.rows.filter((_, i) => keep(i)));
  }
}

export function parseCsv(text: string, source = 'CSV'): CsvTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (error) {
    throw new InputError(`${source}: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new InputError(`${source}: empty file (a header row is required)`);
  const [header, ...rows] = records;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new InputError(`${source}: column "${name}" appears twice in the header`);
    seen.add(name);
  }
  return new CsvTable(source, header, rows);
}

export function readCsv(path: string): CsvTable {
  return parseCsv(readInputFile(path).toString('utf8'), path);
}

/** A file's bytes, or an InputError naming it (for a caller that also hashes what it parses). */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function quoteCell(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function formatCsv(header: string[], rows: (string | number)[][]): string {
  const lines = [header.map(quoteCell).join(',')];
  for (const row of rows) lines.push(row.map((v) => quoteCell(typeof v === 'number' ? formatNumber(v) : v)).join(','));
  return lines.join('\n') + '\n';
}

/** Numbers written so that reading them back gives the same double. */
export function formatNumber(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

export function writeCsv(path: string, header: string[], rows: (string | number)[][]): void {
  writeFileAtomic(path, formatCsv(header, rows));
}
