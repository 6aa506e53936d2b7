/**
 * Every radiograph the cohort names, looked at through its header (src/imaging's header-only reader:
 * no pixel is decoded, so thousands of files take seconds): whether the study's reader would take it,
 * and what it says it is (modality, body part, view), where its pixel spacing comes from and how large
 * it is. The tag rules are the ones predict, score and serve refuse radiographs by
 * (models/image/quality.ts). Rows are named by cohort line; neither paths nor patient ids are repeated.
 */
import { existsSync } from 'node:fs';
import { cohortFilePath } from '../../util/cohort-format.js';
import { readRadiographHeader, RadiographReadError, type HeaderReading } from '../../imaging/index.js';
import { MAX_WIDTH_OVER_HEIGHT } from '../../imaging/radiograph-checks.js';
import { nonLumbarReason, nonRadiographModality, turnedOrientation } from '../../models/image/quality.js';
import { CsvTable } from '../../util/csv.js';
import type { CohortReading } from '../cohort.js';
import { problem, type CheckProblem } from './problems.js';

export interface Range {
  min: number;
  max: number;
}

/** The JSON `images` object of `cohort check`. */
export interface ImageSummary {
  /** Radiographs looked at: every row whose image file exists. */
  checked: number;
  readable: number;
  unreadable: number;
  /** DICOM files are judged by their header; image files (PNG, JPEG, TIFF) are decoded. */
  read_from: { header: number; whole_file: number };
  /** Counts by value; "(absent)" when the file does not say. */
  modality: Record<string, number>;
  body_part: Record<string, number>;
  view: Record<string, number>;
  spacing_source: Record<string, number>;
  /** Over the readable radiographs; null when none was. */
  rows: Range | null;
  columns: Range | null;
  pixel_spacing_mm: Range | null;
}

export interface ImageSurvey {
  summary: ImageSummary;
  problems: CheckProblem[];
  /** Cohort lines whose radiograph the study's reader would refuse (it leaves those patients out). */
  unreadableLines: Set<number>;
}

const ABSENT = '(absent)';
/** A radiograph this far from the cohort's median size (either way, long side) is listed: a thumbnail, another export. */
const SIZE_OUTLIER_FACTOR = 2;

export interface SurveyOptions {
  dir: string;
  /** The cohort file as problems name it. */
  fileLabel: string;
  /** The preprocessing's output size: a radiograph smaller than this is enlarged, which is worth a word. */
  preprocessSize: number;
  onProgress?: (done: number, total: number) => void;
}

export async function surveyImages(reading: CohortReading, imageColumn: string, options: SurveyOptions): Promise<ImageSurvey> {
  const column = reading.columnIndex.image!;
  const targets: { line: number; path: string }[] = [];
  reading.table.rows.forEach((row, i) => {
    const cell = (row[column] ?? '').trim();
    if (cell === '') return; // a row problem already (image is missing)
    const path = cohortFilePath(options.dir, cell);
    if (existsSync(path)) targets.push({ line: CsvTable.lineOf(i), path }); // otherwise a row problem already (not found)
  });

  const problems: CheckProblem[] = [];
  const warn = (line: number, message: string) => problems.push(problem('warning', options.fileLabel, line, imageColumn, message));
  const unreadableLines = new Set<number>();
  const headers: { line: number; header: HeaderReading }[] = [];
  let done = 0;
  for (const { line, path } of targets) {
    try {
      headers.push({ line, header: await readRadiographHeader(path) });
    } catch (error) {
      if (!(error instanceof RadiographReadError)) throw error;
      unreadableLines.add(line);
      warn(line, `the radiograph cannot be read (${error.reason}); the study leaves this patient out`);
    }
    options.onProgress?.(++done, targets.length);
  }

  const count = (values: (string | null)[]): Record<string, number> => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v ?? ABSENT, (counts.get(v ?? ABSENT) ?? 0) + 1);
    return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  };
  const range = (values: number[]): Range | null =>
    values.length === 0 ? null : values.reduce((r, v) => ({ min: Math.min(r.min, v), max: Math.max(r.max, v) }), { min: Infinity, max: -Infinity });
  const longSides = headers.map(({ header }) => Math.max(header.rows, header.columns)).sort((a, b) => a - b);
  const medianLong = longSides.length === 0 ? NaN : longSides[Math.floor(longSides.length / 2)];

  for (const { line, header } of headers) {
    const tagReasons = [nonLumbarReason(header.bodyPart, header.viewPosition), nonRadiographModality(header.modality), turnedOrientation(header.patientOrientation)];
    for (const reason of tagReasons) if (reason !== null) warn(line, `${reason}; the study expects a lateral lumbar radiograph and would use it as one`);
    if (header.columns > MAX_WIDTH_OVER_HEIGHT * header.rows) {
      warn(line, `the image is wider than tall (${header.columns} x ${header.rows}); a lateral lumbar radiograph is taller than wide`);
    }
    const long = Math.max(header.rows, header.columns);
    if (long > SIZE_OUTLIER_FACTOR * medianLong || long * SIZE_OUTLIER_FACTOR < medianLong) {
      warn(line, `size ${header.columns} x ${header.rows} is far from the cohort's (long side ${medianLong} px for half the radiographs)`);
    }
    if (Math.min(header.rows, header.columns) < options.preprocessSize) {
      warn(line, `size ${header.columns} x ${header.rows} is smaller than the preprocessing's ${options.preprocessSize} px: the crop is enlarged`);
    }
    if (header.pixelSpacing === null) warn(line, 'no pixel spacing in the file: keypoint errors for this radiograph are in pixels, not mm');
    for (const w of header.warnings) warn(line, w);
  }

  const spacings = headers.flatMap(({ header }) => header.pixelSpacing ?? []);
  return {
    summary: {
      checked: targets.length,
      readable: headers.length,
      unreadable: unreadableLines.size,
      read_from: {
        header: headers.filter((h) => !h.header.pixelsDecoded).length,
        whole_file: headers.filter((h) => h.header.pixelsDecoded).length,
      },
      modality: count(headers.map((h) => h.header.modality)),
      body_part: count(headers.map((h) => h.header.bodyPart)),
      view: count(headers.map((h) => h.header.viewPosition)),
      spacing_source: count(headers.map((h) => h.header.spacingSource)),
      rows: range(headers.map((h) => h.header.rows)),
      columns: range(headers.map((h) => h.header.columns)),
      pixel_spacing_mm: range(spacings),
    },
    problems,
    unreadableLines,
  };
}
