/**
 * `spinesurv cohort check`: the study's pre-flight. Reads the cohort exactly as the study does (the
 * same readCohortRows, the same keypoints checks) but collects every problem instead of stopping at
 * the first, reads radiograph headers instead of pixels, and trains nothing, so that a researcher
 * learns in seconds whether `spinesurv study` will run and, if not, every line to fix.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../../util/csv.js';
import { InputError } from '../../util/errors.js';
import { cohortFrom, readCohortRows, splitRefusal, type CohortReading, type Split } from '../cohort.js';
import type { StudyConfig } from '../config.js';
import { annotationCoverage, type AnnotationSummary } from './annotation-coverage.js';
import { summariseColumns, type ColumnSummary } from './column-summary.js';
import { followUpBySplit, type SplitFollowUp } from './follow-up.js';
import { surveyImages, type ImageSummary } from './image-survey.js';
import { problem, sortProblems, type CheckProblem } from './problems.js';

/** The JSON printed by `cohort check --json` (docs/cohort-check.md). */
export interface CohortCheckReport {
  cohort_file: string;
  /** True when `spinesurv study` would get past every check made here (the exit code is 0). */
  can_run: boolean;
  /** Rows of the cohort file (the header not counted). */
  rows: number;
  /** Rows left out by study.json's include ranges and drop_missing. */
  excluded: number;
  exclusions: { reason: string; n: number; lines: number[] }[];
  /** Rows with a problem that stops the study (each is listed in problems). */
  bad_rows: number;
  /** Rows the study would analyse: not bad, not excluded, radiograph readable. */
  analysed: number;
  /** Whether the study's image half runs (an image column, and images not disabled in study.json). */
  images_used: boolean;
  images: ImageSummary | null;
  annotations: AnnotationSummary | null;
  /** Events per split among the rows analysed. */
  events: Record<Split, number>;
  follow_up: Record<Split, SplitFollowUp>;
  columns: ColumnSummary[];
  problems: CheckProblem[];
}

export interface CheckOptions {
  onImageProgress?: (done: number, total: number) => void;
}

export async function checkCohort(dir: string, config: StudyConfig, options: CheckOptions = {}): Promise<CohortCheckReport> {
  const label = config.cohortFile;
  let reading: CohortReading;
  try {
    reading = readCohortRows(dir, config);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return unreadableCohort(dir, config, error);
  }

  const problems: CheckProblem[] = [];
  for (const row of reading.problems) {
    row.problems.forEach((message, k) => problems.push(problem('error', label, row.line, row.columns[k], message)));
  }

  const imagesUsed = config.images.enabled && reading.present.image;
  let images: ImageSummary | null = null;
  let annotations: AnnotationSummary | null = null;
  let unreadable = new Set<number>();
  if (imagesUsed) {
    const survey = await surveyImages(reading, config.columns.image!, {
      dir, fileLabel: label, preprocessSize: config.images.size, onProgress: options.onImageProgress,
    });
    images = survey.summary;
    unreadable = survey.unreadableLines;
    problems.push(...survey.problems);
    const imageColumn = reading.columnIndex.image!;
    const names = reading.table.rows.map((row) => (row[imageColumn] ?? '').trim()).filter((cell) => cell !== '');
    const coverage = annotationCoverage(cohortFrom(dir, reading), config.keypointsFile, names);
    annotations = coverage.summary;
    problems.push(...coverage.problems);
  }

  // The study refuses a split without rows or events, first as loaded, then once unreadable radiographs are left out.
  const partial = reading.problems.length > 0 ? ` (counting only the ${reading.rows.length} rows without problems)` : '';
  const analysed = reading.rows.filter((r) => !unreadable.has(r.line));
  const refusal = splitRefusal(reading.rows);
  const afterImages = refusal === null ? splitRefusal(analysed) : null;
  if (refusal !== null) problems.push(problem('error', label, null, config.columns.split, `${refusal}${partial}`));
  else if (afterImages !== null) {
    const left = reading.rows.filter((r) => unreadable.has(r.line)).length;
    problems.push(problem('error', label, null, config.columns.image, `leaving out the ${left} patient(s) whose radiograph cannot be read: ${afterImages}${partial}`));
  }

  const followUp = followUpBySplit(analysed);
  const sorted = sortProblems(problems);
  return {
    cohort_file: label,
    can_run: !sorted.some((p) => p.severity === 'error'),
    rows: reading.table.length,
    excluded: reading.excluded.length,
    exclusions: groupExclusions(reading),
    bad_rows: reading.problems.length,
    analysed: analysed.length,
    images_used: imagesUsed,
    images,
    annotations,
    events: { train: followUp.train.events, test: followUp.test.events },
    follow_up: followUp,
    columns: summariseColumns(reading.table, config),
    problems: sorted,
  };
}

function groupExclusions(reading: CohortReading): CohortCheckReport['exclusions'] {
  const byReason = new Map<string, number[]>();
  for (const e of reading.excluded) byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e.line]);
  return [...byReason].map(([reason, lines]) => ({ reason, n: lines.length, lines }));
}

/** The cohort file itself cannot be read, or lacks a column the study needs: one problem, and what can still be said. */
function unreadableCohort(dir: string, config: StudyConfig, error: InputError): CohortCheckReport {
  const path = join(dir, config.cohortFile);
  const message = error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message;
  let columns: ColumnSummary[] = [];
  let rows = 0;
  if (existsSync(path)) {
    try {
      const table = readCsv(path);
      columns = summariseColumns(table, config);
      rows = table.length;
    } catch {
      // The same error again: nothing more to summarise.
    }
  }
  const empty: SplitFollowUp = { rows: 0, events: 0, censored: 0, follow_up_years: null };
  return {
    cohort_file: config.cohortFile,
    can_run: false,
    rows,
    excluded: 0,
    exclusions: [],
    bad_rows: 0,
    analysed: 0,
    images_used: false,
    images: null,
    annotations: null,
    events: { train: 0, test: 0 },
    follow_up: { train: empty, test: { ...empty } },
    columns,
    // Missing columns are a fault of the header row, line 1.
    problems: [problem('error', config.cohortFile, /missing columns? /.test(message) ? 1 : null, null, message)],
  };
}
