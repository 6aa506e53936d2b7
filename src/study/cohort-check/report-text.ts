/**
 * The human-readable form of a cohort check: a few summary lines, then the problems, with identical
 * messages on many rows folded into one line listing the rows (a cohort of PNG files would otherwise
 * print "no pixel spacing" once per patient).
 */
import type { CohortCheckReport } from './check-cohort.js';
import type { CheckProblem } from './problems.js';
import type { Range } from './image-survey.js';

/** Lines listed per folded problem before "and N more". */
const LINES_SHOWN = 12;

export function formatReport(report: CohortCheckReport, cohortDir: string): string {
  const out: string[] = [`cohort check: ${cohortDir} (${report.cohort_file})`];
  const add = (label: string, ...lines: string[]) => lines.forEach((line, k) => out.push(`${(k === 0 ? label : '').padEnd(12)}${line}`));

  add('rows', `${report.rows} read, ${report.excluded} excluded by study.json, ${report.bad_rows} with problems, ${report.analysed} to analyse`);
  for (const e of report.exclusions) add('', `  excluded: ${e.reason}: ${e.n} (${foldLines(e.lines)})`);
  add('splits', ...(['train', 'test'] as const).map((s) => {
    const f = report.follow_up[s];
    const years = f.follow_up_years === null ? 'no follow-up' : `follow-up ${f.follow_up_years.min}-${f.follow_up_years.max} y, median ${f.follow_up_years.median}`;
    return `${s.padEnd(5)} ${f.rows} rows, ${f.events} events, ${f.censored} censored; ${years}`;
  }));

  if (!report.images_used) add('images', 'not used by this study (no image column, or "images": {"enabled": false} in study.json)');
  if (report.images !== null) {
    const im = report.images;
    add('images',
      `${im.checked} checked: ${im.readable} readable (${im.read_from.header} judged from the DICOM header alone, ${im.read_from.whole_file} image files decoded), ${im.unreadable} unreadable`,
      `modality ${counts(im.modality)}; body part ${counts(im.body_part)}; view ${counts(im.view)}`,
      `pixel spacing from ${counts(im.spacing_source)}${im.pixel_spacing_mm ? `, ${range(im.pixel_spacing_mm)} mm` : ''}`,
      `size ${im.columns ? range(im.columns) : '-'} columns x ${im.rows ? range(im.rows) : '-'} rows`);
  }
  if (report.annotations !== null) {
    const a = report.annotations;
    add('annotations',
      `${a.file}: train ${a.train.annotated} annotated, ${a.train.unannotated} not (these get predicted keypoints)`,
      `test ${a.test.annotated} annotated (never used by the study), ${a.test.unannotated} not; ${a.unmatched} ${a.unmatched === 1 ? 'entry matches' : 'entries match'} no cohort row`);
  }
  add('columns', ...report.columns.map((c) => {
    const use = c.maps_to.length === 0 ? 'not used' : `-> ${c.maps_to.join(', ')}`;
    const detail = c.values ? `  values ${counts(c.values)}` : c.min !== undefined ? `  range ${c.min} to ${c.max}` : '';
    return `${c.name.padEnd(24)} ${c.type.padEnd(7)} ${String(c.missing).padStart(5)} missing  ${use}${detail}`;
  }));

  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  if (report.problems.length === 0) add('problems', 'none');
  else add(`problems`, `${errors} error(s), ${warnings} warning(s)`, ...foldProblems(report.problems));
  add('result', report.can_run
    ? `the study can run${warnings > 0 ? ' (read the warnings: they leave patients out or point at mislabelled files)' : ''}`
    : `the study cannot run: ${errors} error(s) above, each of which would stop it`);
  return out.join('\n') + '\n';
}

function counts(values: Record<string, number>): string {
  const entries = Object.entries(values);
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

function range(r: Range): string {
  const f = (x: number) => String(Number(x.toFixed(4)));
  return r.min === r.max ? f(r.min) : `${f(r.min)}-${f(r.max)}`;
}

function foldLines(lines: number[]): string {
  const shown = lines.slice(0, LINES_SHOWN).join(', ');
  return `line${lines.length > 1 ? 's' : ''} ${shown}${lines.length > LINES_SHOWN ? ` and ${lines.length - LINES_SHOWN} more` : ''}`;
}

/** One line per distinct (severity, file, column, message), naming every line it occurs on. */
function foldProblems(problems: CheckProblem[]): string[] {
  const groups = new Map<string, { p: CheckProblem; lines: number[] }>();
  for (const p of problems) {
    const key = JSON.stringify([p.severity, p.file, p.column, p.message]);
    const group = groups.get(key) ?? { p, lines: [] };
    if (p.line !== null) group.lines.push(p.line);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ p, lines }) => {
    const where = [p.file, lines.length > 0 ? foldLines(lines) : null, p.column !== null ? `column ${p.column}` : null].filter((s) => s !== null).join(', ');
    return `  ${p.severity.padEnd(8)}${where}: ${p.message}`;
  });
}
