/**
 * One thing `cohort check` found, named by file, line and column so that it can be fixed where it is.
 * An error is something the study would stop on; a warning is something it would get past (leaving a
 * patient out, ignoring an entry) that the researcher should still know about.
 */
export type Severity = 'error' | 'warning';

export interface CheckProblem {
  severity: Severity;
  /** Relative to the cohort folder (cohort.csv, keypoints.json), or as given (study.json). */
  file: string;
  /** The file's line (cohort.csv: the header is line 1); null when the problem is about the file as a whole. */
  line: number | null;
  /** The column (cohort.csv, as named in the file) or key (keypoints.json); null when none applies. */
  column: string | null;
  message: string;
}

export function problem(severity: Severity, file: string, line: number | null, column: string | null, message: string): CheckProblem {
  return { severity, file, line, column, message };
}

/** Errors first, then by file and line, so that what blocks the study is read first. */
export function sortProblems(problems: CheckProblem[]): CheckProblem[] {
  const rank = (p: CheckProblem) => (p.severity === 'error' ? 0 : 1);
  return [...problems].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}
