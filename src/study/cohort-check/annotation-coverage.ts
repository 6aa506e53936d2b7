/**
 * How far the keypoint annotations reach, per split, judged as the study judges them: the study's own
 * coverage check (study/images.ts: five labelled keypoints on a training radiograph, file_name matched
 * to the image column) and the one keypoints reader (src/keypoints). Entries that match no cohort row
 * are listed by their line in the keypoints file: the study stops on them (usually a naming mistake).
 * Every use of the keypoints readers sits in this file, so that re-pointing them is a one-file change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readKeypoints, unmatchedEntries, type KeypointsFile } from '../../keypoints/index.js';
import { InputError } from '../../util/errors.js';
import type { Cohort } from '../cohort.js';
import { annotationsPath, checkAnnotations } from '../images.js';
import { problem, type CheckProblem } from './problems.js';

/** The JSON `annotations` object of `cohort check`. */
export interface AnnotationSummary {
  file: string;
  /** Training rows with all five keypoints annotated (what the detector learns from) and without. */
  train: { annotated: number; unannotated: number };
  /** Test rows: annotations there are never used, neither for training nor for choosing anything. */
  test: { annotated: number; unannotated: number; used: false };
  /** Image entries of the keypoints file that match no row of the cohort file. */
  unmatched: number;
}

export interface AnnotationCoverage {
  summary: AnnotationSummary;
  problems: CheckProblem[];
}

export function annotationCoverage(cohort: Cohort, keypointsFile: string, cohortNames: string[]): AnnotationCoverage {
  const path = annotationsPath(cohort, keypointsFile);
  const problems: CheckProblem[] = [];
  const rows = { train: cohort.rows.filter((r) => r.split === 'train').length, test: cohort.rows.filter((r) => r.split === 'test').length };
  const summary: AnnotationSummary = {
    file: keypointsFile,
    train: { annotated: 0, unannotated: rows.train },
    test: { annotated: 0, unannotated: rows.test, used: false },
    unmatched: 0,
  };
  if (!existsSync(path)) {
    problems.push(problem('error', keypointsFile, null, null, 'not found; the keypoint detector needs L1-L5 annotated on training-split radiographs (COCO keypoints, file_name = the image column)'));
    return { summary, problems };
  }
  // The structure check the study runs before the keypoint stage.
  let file: KeypointsFile;
  try {
    file = readKeypoints(path);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(problem('error', keypointsFile, null, null, withoutPath(error.message, path)));
    return { summary, problems };
  }
  const unmatched = unmatchedEntries(file, cohortNames, cohort.dir);
  const lines = unmatched.length > 0 ? fileNameLines(readFileSync(path, 'utf8')) : new Map<string, number>();
  for (const entry of unmatched) {
    summary.unmatched++;
    problems.push(problem('error', keypointsFile, lines.get(entry.fileName) ?? null, 'file_name',
      `${entry.where}: file_name matches no image of the cohort file (compared as written, after turning \\ into / and dropping a leading ./); the study stops on it`));
  }
  if (unmatched.length > 0) return { summary, problems };
  try {
    const coverage = checkAnnotations(cohort, keypointsFile);
    summary.train = { annotated: coverage.trainingAnnotated.size, unannotated: rows.train - coverage.trainingAnnotated.size };
    summary.test = { annotated: coverage.testAnnotated, unannotated: rows.test - coverage.testAnnotated, used: false };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(problem('error', keypointsFile, null, null, withoutPath(error.message, path)));
  }
  return { summary, problems };
}

/** The reader's message names the absolute path; the problem already names the file. */
function withoutPath(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}

/** Each file_name's line in the file (1-based; its first occurrence), found in one pass over the text. */
function fileNameLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = /"file_name"\s*:\s*("(?:[^"\\]|\\.)*")/g;
  let line = 1;
  let scanned = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    for (; scanned < match.index; scanned++) if (text.charCodeAt(scanned) === 10) line++;
    const name = JSON.parse(match[1]) as string;
    if (!out.has(name)) out.set(name, line);
  }
  return out;
}
