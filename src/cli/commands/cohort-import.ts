/**
 * `spinesurv cohort import --dicom DIR --clinical FILE --id-column COL --out COHORT`: a PACS export
 * and a clinical spreadsheet made into a cohort folder (docs/cohort-import.md). Logs counts only,
 * never a patient id; the report CSV, like the clinical file, is the user's own data.
 */
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { progress, log } from '../../util/progress.js';

const spec: CommandSpec = {
  usage: 'spinesurv cohort import',
  description:
    'Make a cohort folder from a PACS export and a clinical spreadsheet. Walks DIR (nested folders, with or without a\n' +
    'DICOMDIR, files without extensions; DICOM is told by the "DICM" marker at byte 128) reading headers only, groups the\n' +
    'radiographs by patient (the --match field) and study, and takes each patient\'s baseline lateral lumbar radiograph:\n' +
    'the earliest study; the body part from BodyPartExamined or the descriptions; the view from ViewPosition,\n' +
    'PatientOrientation, SeriesDescription and ProtocolName, told only when they agree. A radiograph whose view cannot\n' +
    'be told is listed, not guessed; --pick FILE.csv (columns id, file) chooses for the patients it names.\n' +
    'Writes COHORT/cohort.csv (the clinical rows that have a radiograph, joined on --id-column, with an `image` column),\n' +
    'COHORT/images/ (copies, or hard links with --link) and COHORT/import-report.csv (columns file, patient,\n' +
    'study_date, view, body_part, decision, code, reason, image: every file seen, taken or left and why, and every\n' +
    'clinical row without a radiograph). DIR is never changed; COHORT appears only when complete.\n' +
    'JSON (--json): {"out", "files", "clinical_rows", "cohort_rows", "picked", "rows_without_radiograph", "left": {code: n},\n' +
    '"copied_instead_of_linked"}. See docs/cohort-import.md.',
  options: {
    dicom: { type: 'string', placeholder: 'DIR', description: 'the PACS export (read only)', required: true },
    clinical: { type: 'string', placeholder: 'FILE', description: 'the clinical CSV, one row per patient', required: true },
    'id-column': { type: 'string', placeholder: 'COL', description: 'the clinical column holding the id the --match field carries', required: true },
    out: { type: 'string', placeholder: 'COHORT', description: 'the cohort folder to write (missing, empty, or an earlier import with --force)', required: true },
    match: { type: 'string', placeholder: 'FIELD', description: 'the header field that holds the id: PatientID (default), AccessionNumber, OtherPatientIDs, StudyID, StudyInstanceUID or PatientName', default: 'PatientID' },
    pick: { type: 'string', placeholder: 'FILE.csv', description: 'your own choice of radiograph for some patients: columns id and file (relative to DIR, as the report writes it)' },
    link: { type: 'boolean', description: 'hard-link the radiographs instead of copying them (copies where the file system refuses)' },
    force: { type: 'boolean', description: 'replace COHORT when it is an earlier output of spinesurv' },
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
};

export async function cohortImport(argv: string[]): Promise<number> {
  const args = parseCommand(argv, spec);
  if (args === null) return 0;
  const { importCohort } = await import('../../study/cohort-import/import-cohort.js');
  let bar: ReturnType<typeof progress> | undefined;
  const summary = await importCohort({
    dicom: args.string('dicom'),
    clinical: args.string('clinical'),
    idColumn: args.string('id-column'),
    out: args.string('out'),
    match: args.optionalString('match') ?? 'PatientID',
    pick: args.optionalString('pick'),
    link: args.flag('link'),
    force: args.flag('force'),
    onProgress: (done, total) => {
      bar ??= progress('cohort import: reading headers', total);
      bar.tick(done);
      if (done === total) bar.done();
    },
  });
  const leftCounts = Object.entries(summary.left).map(([code, n]) => `${code} ${n}`).join(', ');
  log(
    `cohort import: ${summary.files} files seen; ${summary.cohort_rows} of ${summary.clinical_rows} clinical rows have a radiograph` +
      `${summary.picked > 0 ? ` (${summary.picked} picked)` : ''}; ${summary.rows_without_radiograph} without; files left: ${leftCounts || 'none'}` +
      `${summary.copied_instead_of_linked > 0 ? `; ${summary.copied_instead_of_linked} copied where a hard link was refused` : ''}. ` +
      `See ${summary.out}/import-report.csv.`,
  );
  if (args.flag('json')) printJson(summary);
  return 0;
}
