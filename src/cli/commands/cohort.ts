/**
 * `spinesurv cohort check --cohort DIR [--config study.json] [--json]`: the study's pre-flight
 * (docs/cohort-check.md). Exit 0 when the study can run on DIR, 2 when it cannot, with the reason on
 * stderr; the report (text, or one JSON object with --json) goes to stdout either way.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec } from '../args.js';
import { loadConfig } from '../../study/config.js';
import { progress } from '../../util/progress.js';
import { cohortImport } from './cohort-import.js';

const checkSpec: CommandSpec = {
  usage: 'spinesurv cohort check',
  description:
    'Check, in seconds and without training anything, that `spinesurv study` can run on a cohort: every row of the cohort\n' +
    'file read as the study reads it (study.json\'s cohort_file, columns, codes, time_unit, include, drop_missing), every\n' +
    'radiograph judged from its DICOM header (readable; modality, body part, view; pixel spacing and its source; size),\n' +
    'keypoint annotations per split (test annotations are counted but never used), events and follow-up per split, each\n' +
    'column\'s type and missing values, and every problem by file, line and column. Exit 0 when the study can run,\n' +
    '2 when it cannot (errors); warnings (a radiograph the study would leave out, an AP view) do not change the exit code.\n' +
    'JSON (--json): {"cohort_file", "can_run", "rows", "excluded", "exclusions": [{"reason", "n", "lines"}], "bad_rows",\n' +
    '"analysed", "images_used", "images": {"checked", "readable", "unreadable", "read_from": {"header", "whole_file"},\n' +
    '"modality", "body_part", "view", "spacing_source" (each {value: count}), "rows", "columns", "pixel_spacing_mm"\n' +
    '(each {"min", "max"})} | null, "annotations": {"file", "train": {"annotated", "unannotated"}, "test": {"annotated",\n' +
    '"unannotated", "used": false}, "unmatched"} | null, "events": {"train", "test"}, "follow_up": {"train"|"test":\n' +
    '{"rows", "events", "censored", "follow_up_years": {"min", "median", "max"}}}, "columns": [{"name", "maps_to", "type",\n' +
    '"missing", "values"?, "min"?, "max"?}], "problems": [{"severity": "error"|"warning", "file", "line", "column",\n' +
    '"message"}]}. Rows are named by line (the header is line 1), never by patient id. See docs/cohort-check.md.',
  options: {
    cohort: { type: 'string', placeholder: 'DIR', description: 'cohort folder (holding the cohort file, the radiographs and keypoints.json)', required: true },
    config: { type: 'string', placeholder: 'study.json', description: 'the study.json the study will be run with (column names, codes, time unit, inclusion)' },
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
};

const HELP =
  'Usage: spinesurv cohort <check|import> ... (spinesurv cohort <subcommand> --help)\n\n' +
  'Work with a cohort folder before the study runs on it:\n' +
  '  check   the pre-flight: can `spinesurv study` run on this cohort, and if not, every line to fix\n' +
  '  import  make a cohort folder from a PACS export and a clinical spreadsheet\n';

async function check(argv: string[]): Promise<number> {
  const args = parseCommand(argv, checkSpec);
  if (args === null) return 0;
  const dir = args.string('cohort');
  const config = loadConfig(args.optionalString('config'));
  const { checkCohort } = await import('../../study/cohort-check/check-cohort.js');
  let bar: ReturnType<typeof progress> | undefined;
  const report = await checkCohort(dir, config, {
    onImageProgress: (done, total) => {
      bar ??= progress('cohort check: reading radiograph headers', total);
      bar.tick(done);
      if (done === total) bar.done();
    },
  });
  if (args.flag('json')) printJson(report);
  else {
    const { formatReport } = await import('../../study/cohort-check/report-text.js');
    process.stdout.write(formatReport(report, dir));
  }
  if (report.can_run) return 0;
  const errors = report.problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  const where = [first.file, first.line !== null ? `line ${first.line}` : null, first.column !== null ? `column ${first.column}` : null].filter((s) => s !== null).join(', ');
  process.stderr.write(`spinesurv cohort check: the study cannot run on ${dir}: ${errors.length} error(s), the first: ${where}: ${first.message}\n`);
  return 2;
}

export const command: Command = {
  run: (argv) => runSubcommand(argv, HELP, { check, import: cohortImport }),
};
