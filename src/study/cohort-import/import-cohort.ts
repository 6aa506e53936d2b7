/**
 * `spinesurv cohort import`: from a PACS export and a clinical spreadsheet to a cohort folder that
 * `cohort check` and `study` read (docs/cohort-import.md). Reads headers only and never writes into
 * the export. The cohort folder is built under a temporary name beside COHORT and renamed into place
 * only when complete, so an interrupted import leaves nothing that looks like a finished cohort.
 */
import { resolve, relative, isAbsolute } from 'node:path';
import { UsageError, InputError } from '../../util/errors.js';
import { walkExport } from './walk-export.js';
import { readExportFile } from './read-export-file.js';
import { factsOf, type FileFacts } from './file-facts.js';
import { readClinicalFile } from './clinical-file.js';
import { readPickFile } from './pick-file.js';
import { chooseBaselines } from './choose-baseline.js';
import { writeImportedCohort, type ImportSummary } from './write-cohort.js';

export interface ImportOptions {
  dicom: string;
  clinical: string;
  idColumn: string;
  out: string;
  /** The header field that holds the clinical file's id: a keyword of phi.ts's list. */
  match: string;
  pick?: string;
  link: boolean;
  force: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Header fields a clinical id may be matched on (read by phi.ts's identifyingTags). */
export const MATCH_FIELDS = ['PatientID', 'AccessionNumber', 'OtherPatientIDs', 'StudyID', 'StudyInstanceUID', 'PatientName'];

export async function importCohort(options: ImportOptions): Promise<ImportSummary> {
  if (!MATCH_FIELDS.includes(options.match)) {
    throw new UsageError(`spinesurv cohort import: --match must be one of ${MATCH_FIELDS.join(', ')}; got "${options.match}"`);
  }
  refuseOverlap(options.dicom, options.out);
  const files = walkExport(options.dicom);
  const clinical = readClinicalFile(options.clinical, options.idColumn);
  const picks = options.pick === undefined ? new Map() : readPickFile(options.pick, options.dicom, new Set(clinical.ids));

  const facts: FileFacts[] = [];
  for (const [i, file] of files.entries()) {
    facts.push(factsOf(file, readExportFile(file.path), options.match, (id) => clinical.rowOf.has(id)));
    options.onProgress?.(i + 1, files.length);
  }
  const byName = new Map(facts.map((f) => [f.file.name, f]));
  for (const [, pick] of picks) {
    const f = byName.get(pick.file);
    const unusable = f === undefined ? 'no such file in the DICOM folder' : ['dicomdir', 'not-dicom', 'unreadable'].includes(f.decision?.code ?? '') ? f.decision!.reason : null;
    if (unusable !== null) throw new InputError(`${options.pick}: line ${pick.line}, column "file": ${unusable}`);
  }
  const choices = chooseBaselines(facts, picks);
  return writeImportedCohort({ ...options, facts, clinical, choices });
}

/** The export is only read: the cohort may be neither inside it nor around it. */
function refuseOverlap(dicom: string, out: string): void {
  const inside = (child: string, parent: string): boolean => {
    const r = relative(resolve(parent), resolve(child));
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  if (inside(out, dicom)) throw new UsageError(`spinesurv cohort import: --out ${out} is inside the DICOM folder ${dicom}, which the import never changes; choose a folder elsewhere`);
  if (inside(dicom, out)) throw new UsageError(`spinesurv cohort import: the DICOM folder ${dicom} is inside --out ${out}, which the import would replace; choose a folder elsewhere`);
}
