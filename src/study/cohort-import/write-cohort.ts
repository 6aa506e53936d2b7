/**
 * Writes the imported cohort: COHORT/images/ (each chosen radiograph, copied, or hard-linked with
 * --link), COHORT/cohort.csv (the clinical rows that have a radiograph, cells as written, with an
 * `image` column) and COHORT/import-report.csv (one row per export file, then one per clinical row
 * without a radiograph). All of it goes into a temporary folder renamed into place at the end
 * (writeDirAtomic), so a half-finished import never looks complete.
 */
import { copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../../util/atomic-write.js';
import { formatCsv } from '../../util/csv.js';
import type { FileFacts } from './file-facts.js';
import type { ClinicalFile } from './clinical-file.js';
import { IMAGE_COLUMN } from './clinical-file.js';
import { formatDate, type PatientChoice } from './choose-baseline.js';
import type { DecisionCode } from './decisions.js';

export interface ImportSummary {
  out: string;
  files: number;
  clinical_rows: number;
  /** Rows written to cohort.csv: clinical rows with a radiograph. */
  cohort_rows: number;
  picked: number;
  rows_without_radiograph: number;
  /** How many files were left, by decision code. */
  left: Partial<Record<DecisionCode, number>>;
  /** With --link: images copied because a hard link was refused (another file system). */
  copied_instead_of_linked: number;
}

export const REPORT_COLUMNS = ['file', 'patient', 'study_date', 'view', 'body_part', 'decision', 'code', 'reason', 'image'];

interface WriteInput {
  out: string;
  clinical: ClinicalFile;
  facts: FileFacts[];
  choices: Map<string, PatientChoice>;
  idColumn: string;
  link: boolean;
  force: boolean;
}

export async function writeImportedCohort(input: WriteInput): Promise<ImportSummary> {
  const { clinical, facts, choices } = input;
  const imageOf = cohortImageNames(clinical, choices);
  let copiedInstead = 0;
  await writeDirAtomic(
    input.out,
    (tmp) => {
      mkdirSync(join(tmp, 'images'));
      for (const [id, image] of imageOf) {
        const source = choices.get(id)!.chosen!.file.path;
        copiedInstead += placeImage(source, join(tmp, image), input.link) ? 0 : 1;
      }
      writeFileSync(join(tmp, 'cohort.csv'), cohortCsv(clinical, imageOf));
      writeFileSync(join(tmp, 'import-report.csv'), reportCsv(clinical, facts, choices, imageOf));
    },
    { createdBy: 'spinesurv cohort import', force: input.force },
  );
  const left: Partial<Record<DecisionCode, number>> = {};
  for (const f of facts) if (!f.decision!.taken) left[f.decision!.code] = (left[f.decision!.code] ?? 0) + 1;
  return {
    out: input.out,
    files: facts.length,
    clinical_rows: clinical.ids.length,
    cohort_rows: imageOf.size,
    picked: facts.filter((f) => f.decision!.code === 'picked').length,
    rows_without_radiograph: clinical.ids.length - imageOf.size,
    left,
    copied_instead_of_linked: copiedInstead,
  };
}

/**
 * Each chosen radiograph's path inside the cohort: images/<id>.dcm with the id reduced to characters
 * safe in any file system; two ids that reduce alike get the clinical line number added.
 */
function cohortImageNames(clinical: ClinicalFile, choices: Map<string, PatientChoice>): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const [i, id] of clinical.ids.entries()) {
    if (choices.get(id)?.chosen == null) continue;
    const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
    let name = `images/${safe}.dcm`;
    if (used.has(name.toLowerCase())) name = `images/${safe}-line${clinical.table.lineOfRow(i)}.dcm`;
    used.add(name.toLowerCase());
    out.set(id, name);
  }
  return out;
}

/** Copies (or hard-links) one radiograph; false when a link was asked for but a copy was made. */
function placeImage(source: string, target: string, link: boolean): boolean {
  if (link) {
    try {
      linkSync(source, target);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another file system, or one without hard links: the copy is the same file for every reader.
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    }
  }
  copyFileSync(source, target);
  return !link;
}

function cohortCsv(clinical: ClinicalFile, imageOf: Map<string, string>): string {
  const { table } = clinical;
  const rows: string[][] = [];
  for (const [i, id] of clinical.ids.entries()) {
    const image = imageOf.get(id);
    if (image === undefined) continue;
    const row = table.header.map((_, c) => table.cell(i, c));
    row.push(image);
    rows.push(row);
  }
  return formatCsv([...table.header, IMAGE_COLUMN], rows);
}

function reportCsv(clinical: ClinicalFile, facts: FileFacts[], choices: Map<string, PatientChoice>, imageOf: Map<string, string>): string {
  const imageByFile = new Map<FileFacts, string>();
  for (const [id, image] of imageOf) imageByFile.set(choices.get(id)!.chosen!, image);
  const rows: string[][] = facts.map((f) => [
    f.file.name,
    f.patient,
    formatDate(f.studyDate),
    f.view?.view ?? '',
    f.bodyPart === null ? '' : f.bodyPart.verdict === 'lumbar' ? 'lumbar' : f.bodyPart.said || 'unknown',
    f.decision!.taken ? 'taken' : 'left',
    f.decision!.code,
    f.decision!.reason,
    imageByFile.get(f) ?? '',
  ]);
  const hasFiles = new Set(facts.map((f) => f.patient));
  for (const [i, id] of clinical.ids.entries()) {
    if (imageOf.has(id)) continue;
    const why = choices.get(id)?.whyNone
      ?? (hasFiles.has(id) ? 'none of the files of this patient is a readable lateral lumbar radiograph (see its rows above)' : 'no file of this patient in the DICOM folder');
    rows.push(['', id, '', '', '', 'left', 'no-radiograph', `clinical row (line ${clinical.table.lineOfRow(i)}) without a radiograph: ${why}`, '']);
  }
  return formatCsv(REPORT_COLUMNS, rows);
}
