/**
 * CSV in and out (CLI.md): a header row, numbers may be quoted, empty cells and NA are missing values,
 * header names trimmed and matched exactly. Commas, semicolons and tabs separate fields: the separator
 * is the one the header row uses (or the one given), and a parse that fails says in words what the
 * file looks like instead.
 *
 * The reader keeps the file's bytes and, per cell, where it starts and ends: a numeric column is read
 * straight from the bytes into a Float64Array, so a million-row file makes no string per cell (the
 * strings of a text column are made only when asked for). Quoting follows RFC 4180.
 *
 * Rows are numbered as a spreadsheet shows them: the header is line 1, the first data row is line 2.
 */
import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** A missing value (CLI.md): an empty cell, or R's NA. */
export function isMissingCell(cell: string | undefined): boolean {
  const c = (cell ?? '').trim();
  return c === '' || c === 'NA';
}

export type Delimiter = ',' | ';' | '\t';

export interface CsvReadOptions {
  /** The field separator; found from the header row when not given. */
  delimiter?: Delimiter;
}

const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** The separator a user typed (`--delimiter`): ",", ";", "tab" or "\t" (as typed in a shell). */
export function parseDelimiter(text: string): Delimiter {
  const named: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', '\t': '\t', '\\t': '\t', tab: '\t' };
  const d = named[text.toLowerCase()];
  if (d === undefined) throw new InputError(`--delimiter must be ",", ";" or "tab", got "${text}"`);
  return d;
}

/** Where each cell is in the file's bytes; cell (r, c) is entry r * width + c (the header is row 0). */
interface CellStore {
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  /** 1 where the cell was quoted and holds a doubled quote to undo. */
  escaped: Uint8Array;
  width: number;
  /** Data rows (the header excluded). */
  rows: number;
  delimiter: Delimiter;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export class CsvTable {
  private materialized: string[][] | undefined;
  private latin1: string | undefined;

  /** Use parseCsv / readCsv; `rowIndex` makes a view of some rows of the same file (filterRows). */
  constructor(
    readonly source: string,
    readonly header: string[],
    private readonly store: CellStore,
    private readonly rowIndex?: Int32Array,
  ) {}

  get length(): number {
    return this.rowIndex ? this.rowIndex.length : this.store.rows;
  }

  /** The separator this file was read with. */
  get delimiter(): Delimiter {
    return this.store.delimiter;
  }

  /** Every row as strings (made on first use; prefer strings()/numbers() for large files). */
  get rows(): string[][] {
    if (this.materialized === undefined) {
      const out: string[][] = new Array(this.length);
      for (let i = 0; i < this.length; i++) {
        const row: string[] = new Array(this.store.width);
        for (let c = 0; c < this.store.width; c++) row[c] = this.cell(i, c);
        out[i] = row;
      }
      this.materialized = out;
    }
    return this.materialized;
  }

  has(column: string): boolean {
    return this.header.includes(column);
  }

  /** Index of a column, or an InputError listing the columns there are (and what the file looks like). */
  columnIndex(column: string): number {
    const i = this.header.indexOf(column);
    if (i < 0) {
      throw new InputError(`${this.source}: no column "${column}" (columns: ${capList(this.header)})${separatorHint(this.header, this.delimiter)}`);
    }
    return i;
  }

  /** The line number a spreadsheet would show for data row i (0-based) of an unfiltered table. */
  static lineOf(row: number): number {
    return row + 2;
  }

  /** The file's line number of data row i of this table (of the file, also after filterRows). */
  lineOfRow(row: number): number {
    return (this.rowIndex ? this.rowIndex[row] : row) + 2;
  }

  /** The text of one cell (data row i of this table, column index c), quotes undone. */
  cell(row: number, column: number): string {
    const k = (this.fileRow(row) + 1) * this.store.width + column;
    const text = this.store.bytes.toString('utf8', this.store.starts[k], this.store.ends[k]);
    return this.store.escaped[k] ? text.replace(/""/g, '"') : text;
  }

  /** Whether a cell is missing (empty or NA, spaces aside), read from the bytes. */
  isMissing(row: number, column: number): boolean {
    const k = (this.fileRow(row) + 1) * this.store.width + column;
    let s = this.store.starts[k];
    let e = this.store.ends[k];
    const b = this.store.bytes;
    while (s < e && (b[s] === SPACE || b[s] === TAB)) s++;
    while (e > s && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
    return s === e || (e - s === 2 && b[s] === 0x4e && b[s + 1] === 0x41);
  }

  strings(column: string): string[] {
    const c = this.columnIndex(column);
    const out: string[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.cell(i, c);
    return out;
  }

  /**
   * A numeric column. Missing cells are an error naming the row, unless `missing: 'nan'` asks for NaN.
   * Read from the bytes: the usual decimal forms are converted exactly here, anything else by Number().
   */
  numbers(column: string, options: { missing?: 'error' | 'nan' } = {}): Float64Array {
    const c = this.columnIndex(column);
    const { bytes, starts, ends, width } = this.store;
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const k = (this.fileRow(i) + 1) * width + c;
      const fast = parseDecimal(bytes, starts[k], ends[k]);
      if (fast === fast) {
        // not NaN: a plain decimal number
        out[i] = fast;
        continue;
      }
      if (!this.isMissing(i, c) && !this.store.escaped[k]) {
        // More digits than the exact fast path takes (e.g. 17 significant digits written by R or
        // JavaScript): Number() of the cell's text, cut from the whole file read once as latin1 (a
        // slice of one string costs less than a string made from the bytes for each cell).
        const value = Number(this.latin1Text().slice(starts[k], ends[k]));
        if (Number.isFinite(value)) {
          out[i] = value;
          continue;
        }
      }
      const cell = this.cell(i, c).trim();
      if (isMissingCell(cell)) {
        if (options.missing === 'nan') {
          out[i] = NaN;
          continue;
        }
        throw new InputError(`${this.source}: column "${column}", line ${this.lineOfRow(i)}: missing value`);
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) {
        const hint = /^[-+]?\d+,\d+$/.test(cell) ? ` (a decimal comma? write ${cell.replace(',', '.')})` : '';
        throw new InputError(`${this.source}: column "${column}", line ${this.lineOfRow(i)}: "${cell}" is not a number${hint}`);
      }
      out[i] = value;
    }
    return out;
  }

  /** Keeps the rows for which keep(i) is true; line numbers in messages stay those of the file. */
  filterRows(keep: (row: number) => boolean): CsvTable {
    const kept: number[] = [];
    for (let i = 0; i < this.length; i++) if (keep(i)) kept.push(this.fileRow(i));
    return new CsvTable(this.source, this.header, this.store, Int32Array.from(kept));
  }

  /** The file's bytes as one latin1 string (one character per byte, so cell positions hold), made once. */
  private latin1Text(): string {
    this.latin1 ??= this.store.bytes.toString('latin1');
    return this.latin1;
  }

  private fileRow(row: number): number {
    return this.rowIndex ? this.rowIndex[row] : row;
  }
}

/** At most 20 names, then how many more (a file with thousands of columns stays one readable line). */
export function capList(names: readonly string[], max = 20): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** " (this file looks semicolon-separated ...)" when a header read as one column holds another separator. */
function separatorHint(header: string[], used: Delimiter): string {
  if (header.length !== 1) return '';
  for (const d of [';', '\t', ','] as Delimiter[]) {
    if (d !== used && header[0].includes(d)) {
      return `; this file looks ${DELIMITER_NAMES[d]}-separated (pass --delimiter ${d === '\t' ? 'tab' : `"${d}"`})`;
    }
  }
  return '';
}

/**
 * A plain decimal number ([+-]digits[.digits][e[+-]digits], spaces around allowed) converted exactly:
 * with at most 15 significant digits and a power of ten up to 22, mantissa and power are both exact
 * doubles and one multiplication or division rounds correctly. NaN asks the caller to fall back.
 */
function parseDecimal(b: Buffer, s: number, e: number): number {
  while (s < e && (b[s] === SPACE || b[s] === TAB)) s++;
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
  if (s === e) return NaN;
  let negative = false;
  if (b[s] === 0x2d || b[s] === 0x2b) {
    negative = b[s] === 0x2d;
    s++;
  }
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let scale = 0;
  let p = s;
  for (; p < e; p++) {
    const d = b[p] - 0x30;
    if (d < 0 || d > 9) break;
    digits++;
    if (mantissa !== 0 || d !== 0) significant++;
    mantissa = mantissa * 10 + d;
  }
  if (p < e && b[p] === 0x2e) {
    for (p++; p < e; p++) {
      const d = b[p] - 0x30;
      if (d < 0 || d > 9) break;
      digits++;
      if (mantissa !== 0 || d !== 0) significant++;
      mantissa = mantissa * 10 + d;
      scale--;
    }
  }
  if (digits === 0 || significant > 15) return NaN;
  if (p < e && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    let expNegative = false;
    if (p < e && (b[p] === 0x2d || b[p] === 0x2b)) {
      expNegative = b[p] === 0x2d;
      p++;
    }
    let exponent = 0;
    let expDigits = 0;
    for (; p < e && expDigits < 5; p++) {
      const d = b[p] - 0x30;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
    scale += expNegative ? -exponent : exponent;
  }
  if (p !== e || scale > 22 || scale < -22) return NaN;
  const magnitude = scale >= 0 ? mantissa * POWERS_OF_TEN[scale] : mantissa / POWERS_OF_TEN[-scale];
  return negative ? -magnitude : magnitude;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** The separator the header row uses most (outside quotes); a comma when it uses none. */
function detectDelimiter(b: Buffer, start: number): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let p = start; p < b.length; p++) {
    const c = b[p];
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) break;
    else if (!quoted && c === 0x2c) counts[',']++;
    else if (!quoted && c === 0x3b) counts[';']++;
    else if (!quoted && c === TAB) counts['\t']++;
  }
  if (counts[','] === 0 && counts[';'] === 0 && counts['\t'] === 0) return ',';
  return (Object.entries(counts) as [Delimiter, number][]).reduce((a, x) => (x[1] > a[1] ? x : a))[0];
}

/** Growable parallel arrays of cell positions. */
class CellPositions {
  starts: Int32Array;
  ends: Int32Array;
  escaped: Uint8Array;
  count = 0;

  constructor(capacity: number) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.escaped = new Uint8Array(capacity);
  }

  push(start: number, end: number, escaped: boolean): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.escaped = grow(this.escaped);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    if (escaped) this.escaped[this.count] = 1;
    this.count++;
  }
}

export function parseCsv(text: string | Buffer, source = 'CSV', options: CsvReadOptions = {}): CsvTable {
  const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let p = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const delimiter = options.delimiter ?? detectDelimiter(b, p);
  const sep = delimiter.charCodeAt(0);
  const cells = new CellPositions(expectedCells(b, p, sep));
  let width = -1;
  let record = 0; // records read so far, the header included: the line a spreadsheet shows is record + 1
  const n = b.length;
  while (p < n) {
    if (b[p] === LF) {
      p++; // an empty line is skipped
      continue;
    }
    if (b[p] === CR && (p + 1 === n || b[p + 1] === LF)) {
      p += p + 1 === n ? 1 : 2;
      continue;
    }
    const first = cells.count;
    for (;;) {
      // Spaces before an opening quote (`a, "b, c"`) are padding, as after a closing one.
      let q0 = p;
      while (q0 < n && b[q0] === SPACE) q0++;
      if (b[q0] === QUOTE) {
        p = q0;
        const start = p + 1;
        let q = start;
        let escaped = false;
        for (;;) {
          q = b.indexOf(QUOTE, q);
          if (q < 0) throw new InputError(`${source}: line ${record + 1}: a quoted field is not closed (a " without its partner)`);
          if (b[q + 1] === QUOTE) {
            escaped = true;
            q += 2;
            continue;
          }
          break;
        }
        cells.push(start, q, escaped);
        p = q + 1;
        while (p < n && b[p] === SPACE && sep !== SPACE) p++;
        if (p < n && b[p] !== sep && b[p] !== LF && b[p] !== CR) {
          throw new InputError(`${source}: line ${record + 1}: text after a closing quote (a quote inside a field must be doubled: "")`);
        }
      } else {
        const start = p;
        while (p < n && b[p] !== sep && b[p] !== LF && b[p] !== CR) p++;
        cells.push(start, p, false);
      }
      if (p < n && b[p] === sep) {
        p++;
        if (p === n || b[p] === LF || b[p] === CR) cells.push(p, p, false); // a trailing empty field
        else continue;
      }
      break;
    }
    if (p < n && b[p] === CR) p++;
    if (p < n && b[p] === LF) p++;
    const fields = cells.count - first;
    if (width < 0) width = fields;
    else if (fields !== width) {
      throw new InputError(`${source}: line ${record + 1} has ${fields} field${fields === 1 ? '' : 's'} but the header has ${width}${fieldCountHint(b, cells, first, fields, delimiter)}`);
    }
    record++;
  }
  if (width < 0) throw new InputError(`${source}: empty file (a header row is required)`);
  const header: string[] = [];
  for (let c = 0; c < width; c++) {
    const raw = b.toString('utf8', cells.starts[c], cells.ends[c]);
    header.push((cells.escaped[c] ? raw.replace(/""/g, '"') : raw).trim());
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new InputError(`${source}: column "${name}" appears twice in the header`);
    seen.add(name);
  }
  const store: CellStore = { bytes: b, starts: cells.starts, ends: cells.ends, escaped: cells.escaped, width, rows: record - 1, delimiter };
  return new CsvTable(source, header, store);
}

/**
 * About how many cells the file holds, from the separators and line ends in its first 64 KiB: the
 * position arrays start that large (2% over) instead of doubling their way up from a guess, which
 * on a million-row file copies them many times over.
 */
function expectedCells(b: Buffer, start: number, sep: number): number {
  const end = Math.min(b.length, start + (1 << 16));
  let marks = 1;
  for (let p = start; p < end; p++) if (b[p] === sep || b[p] === LF) marks++;
  return Math.max(1 << 10, Math.ceil(((marks * (b.length - start)) / Math.max(1, end - start)) * 1.02));
}

/** Why a row's field count may differ from the header's, in words: another separator, or a decimal comma. */
function fieldCountHint(b: Buffer, cells: CellPositions, first: number, fields: number, used: Delimiter): string {
  const line = b.toString('utf8', cells.starts[first], cells.ends[first + fields - 1]);
  const hints: string[] = [];
  for (const d of [';', '\t', ','] as Delimiter[]) {
    if (d !== used && line.includes(d) && (d !== ',' || !/\d,\d/.test(line))) {
      hints.push(`this file looks ${DELIMITER_NAMES[d]}-separated (pass --delimiter ${d === '\t' ? 'tab' : `"${d}"`})`);
    }
  }
  if (used === ',' && /\d,\d/.test(line)) hints.push('a decimal comma in a comma-separated file? use "." for decimals, or separate fields with ";"');
  return hints.length > 0 ? `; ${hints[0]}` : '';
}

export function readCsv(path: string, options: CsvReadOptions = {}): CsvTable {
  return parseCsv(readInputFile(path), path, options);
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
