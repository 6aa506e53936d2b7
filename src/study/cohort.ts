/**
 * Reads a study cohort (CLI.md cohort format, or another layout mapped by study.json) and checks EVERY
 * row before anything is fitted. A bad row is never skipped silently: either the whole cohort is
 * refused with each bad row named (CohortProblems), or, for the exclusions the config asks for
 * (inclusion ranges, drop_missing), the row is left out and counted in the cohort flow.
 *
 * Rows are named by the line a spreadsheet shows (header = line 1), never by patient_id, so that
 * messages and reports carry nothing that identifies a patient.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cohortFilePath } from '../util/cohort-format.js';
import { readCsv, CsvTable, isMissingCell } from '../util/csv.js';
import { InputError } from '../util/errors.js';
import { type CanonicalColumn, type CodedColumn, type StudyConfig, toYears } from './config.js';

export type Split = 'train' | 'test';

export interface CohortRow {
  /** CSV line of this row in the cohort file (header = 1). */
  line: number;
  /** Kept in memory only to find duplicates and for traceable outputs; never written to a report. */
  patientId: string;
  image: string | null;
  /** The vertebral-body mask as the cohort file names it, or null (no mask column, or an empty cell). */
  mask: string | null;
  age: number;
  female: 0 | 1;
  bmi: number;
  glucocorticoid: 0 | 1;
  secondaryOsteoporosis: 0 | 1;
  /** NaN when the column is absent or the cell empty (descriptive only). */
  rheumatoidArthritis: number;
  priorFracture: number;
  bmdTscore: number;
  /** FRAX major osteoporotic fracture probability as a fraction in [0, 1]; NaN without a FRAX column. */
  frax: number;
  /** Follow-up in years. */
  time: number;
  event: 0 | 1;
  split: Split;
}

export interface Exclusion {
  reason: string;
  n: number;
}

export interface CohortFlow {
  rowsRead: number;
  excluded: Exclusion[];
  analysed: number;
  bySplit: Record<Split, { n: number; events: number; women: number; womenEvents: number }>;
}

export interface Cohort {
  dir: string;
  file: string;
  rows: CohortRow[];
  flow: CohortFlow;
  hasFrax: boolean;
  /** FRAX cells were percentages (some value above 1) and were divided by 100. */
  fraxWasPercent: boolean;
  /** The optional columns this cohort has. */
  present: Record<CanonicalColumn, boolean>;
  /** Every image the cohort file names, excluded rows included (a keypoints file may annotate them). */
  allImages: string[];
}

export interface RowProblem {
  line: number;
  problems: string[];
  /** The CSV column (as named in the file) that problems[k] is about; null when it is about the row as a whole. */
  columns: (string | null)[];
}

/** A row left out by the config (inclusion ranges, drop_missing), under its first reason. */
export interface RowExclusion {
  line: number;
  reason: string;
}

/**
 * Every row of the cohort file checked, without refusing anything yet: what loadCohort refuses on and
 * what `spinesurv cohort check` reports come from this one reading.
 */
export interface CohortReading {
  file: string;
  /** The file as read (every row, the bad ones included). */
  table: CsvTable;
  /** CLI.md column -> its index in `table` (absent: the cohort has no such column). */
  columnIndex: Partial<Record<CanonicalColumn, number>>;
  present: Record<CanonicalColumn, boolean>;
  /** The rows that passed every check and were not excluded, in file order. */
  rows: CohortRow[];
  excluded: RowExclusion[];
  /** Every bad row by line (duplicates included), in line order; empty when the cohort can be loaded. */
  problems: RowProblem[];
  fraxWasPercent: boolean;
  /** Every image the file names, bad and excluded rows included. */
  allImages: string[];
}

/** The cohort has bad rows; `rows` names each, and nothing has been fitted. Exit code 2. */
export class CohortProblems extends InputError {
  /** Rows named in the message; the error report lists them all. */
  static readonly MAX_LISTED = 200;

  constructor(
    readonly file: string,
    readonly rowsRead: number,
    readonly rows: RowProblem[],
  ) {
    const shown = rows.slice(0, CohortProblems.MAX_LISTED);
    super(
      `${file}: ${rows.length} of ${rowsRead} rows are invalid, nothing was fitted:\n` +
        shown.map((r) => `  line ${r.line}: ${r.problems.join('; ')}`).join('\n') +
        (rows.length > shown.length ? `\n  ... and ${rows.length - shown.length} more rows (every one is listed in OUT/error-report.json)` : ''),
    );
  }
}

const REQUIRED: CanonicalColumn[] = [
  'patient_id',
  'age',
  'sex',
  'bmi',
  'glucocorticoid',
  'secondary_osteoporosis',
  'followup_years',
  'fracture',
  'split',
];
const OPTIONAL: CanonicalColumn[] = ['image', 'mask', 'rheumatoid_arthritis', 'prior_fracture', 'bmd_tscore', 'frax_mof'];


/** Loads and validates; throws CohortProblems (exit 2) naming every bad row. */
export function loadCohort(dir: string, config: StudyConfig): Cohort {
  const reading = readCohortRows(dir, config);
  const { file, table } = reading;
  if (reading.problems.length > 0) throw new CohortProblems(file, table.length, reading.problems);
  const refusal = splitRefusal(reading.rows);
  if (refusal !== null) throw new InputError(`${file}: ${refusal}`);
  return cohortFrom(dir, reading);
}

/** Where a radiograph named by the cohort file lies (relative to the cohort folder, or absolute). */
export function imagePathOf(cohort: Cohort, row: CohortRow): string {
  if (row.image === null) throw new Error(`cohort line ${row.line} has no image`);
  return cohortFilePath(cohort.dir, row.image);
}

/** The vertebral-body mask of a row, or null. */
export function maskPathOf(cohort: Cohort, row: CohortRow): string | null {
  return row.mask === null ? null : cohortFilePath(cohort.dir, row.mask);
}

/** How messages and notes name a row: the cohort file and its spreadsheet line, never a patient id. */
export function rowLabel(cohort: Cohort, line: number): string {
  return `${basename(cohort.file)} line ${line}`;
}

/** The rows that passed, as the Cohort the stages use (loadCohort has refused any bad row before this). */
export function cohortFrom(dir: string, reading: CohortReading): Cohort {
  const { file, table, rows } = reading;
  const exclusionCounts = new Map<string, number>();
  for (const e of reading.excluded) exclusionCounts.set(e.reason, (exclusionCounts.get(e.reason) ?? 0) + 1);
  const flow: CohortFlow = {
    rowsRead: table.length,
    excluded: [...exclusionCounts].map(([reason, n]) => ({ reason, n })),
    analysed: rows.length,
    bySplit: {
      train: countSplit(rows, 'train'),
      test: countSplit(rows, 'test'),
    },
  };
  return { dir, file, rows, flow, hasFrax: reading.present.frax_mof, fraxWasPercent: reading.fraxWasPercent, present: reading.present, allImages: reading.allImages };
}

/** Why the rows left cannot be studied (a split without rows or events), or null when they can. */
export function splitRefusal(rows: CohortRow[]): string | null {
  for (const split of ['train', 'test'] as const) {
    if (!rows.some((r) => r.split === split)) return `no ${split} rows left after exclusions (the study needs both splits)`;
    if (!rows.some((r) => r.split === split && r.event === 1)) return `the ${split} split has no events; no model can be fitted or judged`;
  }
  return null;
}

/**
 * Reads and checks every row. Throws InputError only for what stops the reading itself (the file
 * cannot be read, a required column is absent, the image column is empty throughout); bad rows are
 * returned in `problems`, not thrown.
 */
export function readCohortRows(dir: string, config: StudyConfig): CohortReading {
  const file = join(dir, config.cohortFile);
  const table = readCsv(file);
  const columnIndex = resolveColumns(table, config, file);
  const present = Object.fromEntries(
    [...REQUIRED, ...OPTIONAL].map((c) => [c, columnIndex[c] !== undefined]),
  ) as Record<CanonicalColumn, boolean>;
  const cell = (row: string[], c: CanonicalColumn): string => {
    const i = columnIndex[c];
    return i === undefined ? '' : (row[i] ?? '').trim();
  };

  if (present.image && table.length > 0 && table.rows.every((row) => cell(row, 'image') === '')) {
    throw new InputError(
      `${file}: column "${config.columns.image}" (image) is empty in every row; for a cohort without radiographs set ` +
        '"columns": {"image": null} in study.json',
    );
  }

  const problems: RowProblem[] = [];
  const excluded: RowExclusion[] = [];
  const candidates: CohortRow[] = [];
  const allImages: string[] = [];
  const fraxRaw: number[] = [];

  table.rows.forEach((row, i) => {
    const line = CsvTable.lineOf(i);
    const messages: string[] = [];
    const columns: (string | null)[] = [];
    // Each problem keeps the CSV column it is about, so that `cohort check` can name line and column.
    const bad = {
      push(message: string, c: CanonicalColumn | null): void {
        messages.push(message);
        columns.push(c === null ? null : config.columns[c]);
      },
    };
    const exclusions: string[] = [];
    const name = (c: CanonicalColumn) => `${c}${config.columns[c] !== c ? ` (column "${config.columns[c]}")` : ''}`;

    const numberOf = (c: CanonicalColumn, required: boolean): number => {
      const raw = cell(row, c);
      if (isMissingCell(raw)) {
        if (required) {
          if (config.dropMissing) exclusions.push(`missing ${c}`);
          else bad.push(`${name(c)} is missing`, c);
        }
        return NaN;
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) {
        bad.push(`${name(c)} "${raw}" is not a number`, c);
        return NaN;
      }
      return v;
    };
    const codeOf = (c: CanonicalColumn, coded: CodedColumn, required: boolean): string | null => {
      const raw = cell(row, c);
      if (isMissingCell(raw)) {
        if (required) {
          if (config.dropMissing && coded === 'binary') exclusions.push(`missing ${c}`);
          else bad.push(`${name(c)} is missing`, c);
        }
        return null;
      }
      const mapped = config.codes[coded][raw];
      if (mapped === undefined) {
        const known = Object.keys(config.codes[coded]).map((k) => `"${k}"`).join(', ');
        const what = c === 'sex' ? 'sex code' : c === 'fracture' ? 'event' : c === 'split' ? 'split' : c;
        bad.push(`${what} "${raw}" is not one of ${known}${c === 'fracture' ? ' (an event must be 0 or 1)' : ''}`, c);
        return null;
      }
      return mapped;
    };
    const binaryOf = (c: CanonicalColumn, required: boolean): number => {
      const v = codeOf(c, 'binary', required);
      return v === null ? NaN : Number(v);
    };

    const patientId = cell(row, 'patient_id');
    if (patientId === '') bad.push('patient_id is missing', 'patient_id');

    let image: string | null = null;
    if (present.image) {
      const raw = cell(row, 'image');
      if (raw === '') bad.push(`${name('image')} is missing`, 'image');
      else {
        image = raw;
        if (!existsSync(cohortFilePath(dir, raw))) bad.push('image file not found', 'image');
      }
    }
    let mask: string | null = null;
    if (present.mask && present.image) {
      const raw = cell(row, 'mask');
      if (!isMissingCell(raw)) {
        mask = raw;
        if (!existsSync(cohortFilePath(dir, raw))) bad.push('mask file not found', 'mask');
      }
    }

    const age = numberOf('age', true);
    const sex = codeOf('sex', 'sex', true);
    const bmi = numberOf('bmi', true);
    const glucocorticoid = binaryOf('glucocorticoid', true);
    const secondary = binaryOf('secondary_osteoporosis', true);
    const ra = present.rheumatoid_arthritis ? binaryOf('rheumatoid_arthritis', false) : NaN;
    const prior = present.prior_fracture ? binaryOf('prior_fracture', false) : NaN;
    const tscore = present.bmd_tscore ? numberOf('bmd_tscore', false) : NaN;
    const frax = present.frax_mof ? numberOf('frax_mof', true) : NaN;
    if (present.frax_mof && Number.isFinite(frax) && (frax < 0 || frax > 100)) {
      bad.push(`${name('frax_mof')} ${frax} is not a probability (0-1 or 0-100 %)`, 'frax_mof');
    }

    const rawTime = cell(row, 'followup_years');
    let time = NaN;
    if (isMissingCell(rawTime)) bad.push(`follow-up ${name('followup_years')} is missing`, 'followup_years');
    else {
      const t = Number(rawTime);
      if (!Number.isFinite(t)) bad.push(`follow-up ${name('followup_years')} "${rawTime}" is not a number`, 'followup_years');
      else if (t < 0) bad.push(`follow-up ${name('followup_years')} is negative (${rawTime})`, 'followup_years');
      else time = toYears(t, config.timeUnit);
    }
    const event = codeOf('fracture', 'fracture', true);
    const split = codeOf('split', 'split', true);

    // Every image the file names, bad and excluded rows included: a keypoints file may annotate any of them.
    if (image !== null) allImages.push(image);
    if (messages.length > 0) {
      problems.push({ line, problems: messages, columns });
      return;
    }
    const ranges: [keyof StudyConfig['include'], number][] = [['age', age], ['bmi', bmi], ['followup_years', time]];
    for (const [c, v] of ranges) {
      const r = config.include[c];
      if (r && Number.isFinite(v) && ((r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max))) {
        exclusions.push(`${c} outside ${r.min ?? '-inf'} to ${r.max ?? 'inf'}`);
      }
    }
    if (exclusions.length > 0) {
      // A row is counted once, under its first reason.
      excluded.push({ line, reason: exclusions[0] });
      return;
    }
    if (present.frax_mof) fraxRaw.push(frax);
    candidates.push({
      line,
      patientId,
      image,
      mask,
      age,
      female: sex === 'F' ? 1 : 0,
      bmi,
      glucocorticoid: glucocorticoid as 0 | 1,
      secondaryOsteoporosis: secondary as 0 | 1,
      rheumatoidArthritis: ra,
      priorFracture: prior,
      bmdTscore: tscore,
      frax,
      time,
      event: Number(event) as 0 | 1,
      split: split as Split,
    });
  });

  addDuplicateProblems(table, columnIndex, config, problems);
  problems.sort((a, b) => a.line - b.line);

  const fraxWasPercent = fraxRaw.some((v) => v > 1);
  if (fraxWasPercent) for (const r of candidates) r.frax /= 100;
  return { file, table, columnIndex, present, rows: candidates, excluded, problems: mergeByLine(problems), fraxWasPercent, allImages };
}

/**
 * The cohort without the rows on the given lines, counted in the flow under `reason` (for patients
 * left out after loading: an unreadable radiograph, implausible keypoints). A split left without
 * rows or events stops the study, as at loading.
 */
export function withoutRows(cohort: Cohort, lines: ReadonlySet<number>, reason: string): Cohort {
  if (lines.size === 0) return cohort;
  const rows = cohort.rows.filter((r) => !lines.has(r.line));
  const removed = cohort.rows.length - rows.length;
  for (const split of ['train', 'test'] as const) {
    if (!rows.some((r) => r.split === split && r.event === 1)) {
      throw new InputError(`${cohort.file}: leaving out ${removed} patient(s) (${reason}) leaves the ${split} split without events`);
    }
  }
  return {
    ...cohort,
    rows,
    flow: {
      ...cohort.flow,
      excluded: [...cohort.flow.excluded, { reason, n: removed }],
      analysed: rows.length,
      bySplit: { train: countSplit(rows, 'train'), test: countSplit(rows, 'test') },
    },
  };
}

function countSplit(rows: CohortRow[], split: Split) {
  const s = rows.filter((r) => r.split === split);
  return {
    n: s.length,
    events: s.filter((r) => r.event === 1).length,
    women: s.filter((r) => r.female === 1).length,
    womenEvents: s.filter((r) => r.female === 1 && r.event === 1).length,
  };
}

/** CLI.md name -> column index; a required column that the CSV lacks stops here, naming it. */
function resolveColumns(table: CsvTable, config: StudyConfig, file: string): Partial<Record<CanonicalColumn, number>> {
  const out: Partial<Record<CanonicalColumn, number>> = {};
  const missing: string[] = [];
  for (const c of [...REQUIRED, ...OPTIONAL]) {
    const actual = config.columns[c];
    if (actual === null) {
      if (REQUIRED.includes(c)) throw new InputError(`study config: column "${c}" is required and cannot be null`);
      continue;
    }
    const i = table.header.indexOf(actual);
    if (i >= 0) out[c] = i;
    else if (REQUIRED.includes(c) || (c === 'image' && config.columns.image !== 'image')) {
      missing.push(actual === c ? `"${c}"` : `"${actual}" (for ${c})`);
    }
  }
  if (missing.length > 0) {
    throw new InputError(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (columns: ${table.header.join(', ')})`);
  }
  return out;
}

function addDuplicateProblems(
  table: CsvTable,
  columnIndex: Partial<Record<CanonicalColumn, number>>,
  config: StudyConfig,
  problems: RowProblem[],
): void {
  const idCol = columnIndex.patient_id!;
  const splitCol = columnIndex.split!;
  const firstLine = new Map<string, { line: number; split: string | undefined }>();
  table.rows.forEach((row, i) => {
    const id = (row[idCol] ?? '').trim();
    if (id === '') return;
    const line = CsvTable.lineOf(i);
    const split = config.codes.split[(row[splitCol] ?? '').trim()];
    const first = firstLine.get(id);
    if (first === undefined) {
      firstLine.set(id, { line, split });
      return;
    }
    const message =
      first.split !== undefined && split !== undefined && first.split !== split
        ? `patient is in both splits (${first.split} on line ${first.line}, ${split} here)`
        : `duplicate patient_id (first on line ${first.line})`;
    problems.push({ line, problems: [message], columns: [config.columns.patient_id] });
  });
}

function mergeByLine(problems: RowProblem[]): RowProblem[] {
  const out: RowProblem[] = [];
  for (const p of problems) {
    const last = out[out.length - 1];
    if (last && last.line === p.line) {
      last.problems.push(...p.problems);
      last.columns.push(...p.columns);
    } else out.push({ line: p.line, problems: [...p.problems], columns: [...p.columns] });
  }
  return out;
}
