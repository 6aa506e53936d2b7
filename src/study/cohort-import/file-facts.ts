/**
 * One export file as the baseline rule sees it: its patient (the --match field), study, date, body
 * part and view, all from the header. Files that cannot be radiographs of the cohort (a DICOMDIR, not
 * DICOM, unreadable, no clinical row, another modality or body part, an AP view ...) get their decision
 * here; the rest are candidates, decided per patient by choose-baseline.ts.
 */
import type { ExportFile } from './walk-export.js';
import type { ExportFileReading } from './read-export-file.js';
import { readBodyPart, type BodyPartReading } from './body-part.js';
import { readView, type ViewReading } from './view.js';
import { left, type Decision } from './decisions.js';

export interface FileFacts {
  file: ExportFile;
  /** The --match field's value, '' when the header has none (or could not be read). */
  patient: string;
  /** YYYYMMDD, '' when missing or not a date. */
  studyDate: string;
  studyTime: string;
  /** StudyInstanceUID, or the date when the header has no UID: the files of one study. */
  study: string;
  seriesNumber: number;
  instanceNumber: number;
  bodyPart: BodyPartReading | null;
  view: ViewReading | null;
  /** Set for files that are not candidates; candidates are decided per patient. */
  decision: Decision | null;
}

/** Modalities of projection radiographs (and OT, which secondary captures of them use). */
const RADIOGRAPH_MODALITIES = new Set(['CR', 'DX', 'DR', 'RG', 'OT']);

export function factsOf(file: ExportFile, reading: ExportFileReading, match: string, hasClinicalRow: (id: string) => boolean): FileFacts {
  const attributes = reading.kind === 'radiograph' || reading.kind === 'unreadable' ? reading.attributes : null;
  const ids = attributes?.ids ?? {};
  const date = ids.StudyDate ?? '';
  const facts: FileFacts = {
    file,
    patient: ids[match] ?? '',
    studyDate: /^\d{8}$/.test(date) ? date : '',
    studyTime: ids.StudyTime ?? '',
    study: ids.StudyInstanceUID ?? date,
    seriesNumber: attributes?.seriesNumber ?? 0,
    instanceNumber: attributes?.instanceNumber ?? 0,
    bodyPart: null,
    view: null,
    decision: null,
  };
  if (reading.kind === 'dicomdir') return { ...facts, decision: left('dicomdir', 'a DICOMDIR: the index of the export, not an image') };
  if (reading.kind === 'not-dicom') return { ...facts, decision: left('not-dicom', reading.reason) };
  if (reading.kind === 'unreadable') return { ...facts, decision: left('unreadable', `unreadable: ${reading.reason}`) };

  const { header } = reading;
  const descriptions = [
    { name: 'SeriesDescription', text: reading.attributes.seriesDescription },
    { name: 'ProtocolName', text: reading.attributes.protocolName },
  ].filter((d) => d.text !== '');
  facts.bodyPart = readBodyPart(header.bodyPart, descriptions);
  facts.view = readView({ viewPosition: header.viewPosition, patientOrientation: header.patientOrientation, descriptions });
  facts.decision = leaveBeforeChoosing(facts, header.modality, match, hasClinicalRow);
  return facts;
}

function leaveBeforeChoosing(facts: FileFacts, modality: string | null, match: string, hasClinicalRow: (id: string) => boolean): Decision | null {
  if (facts.patient === '') return left('no-patient-field', `no ${match} in the header`);
  if (!hasClinicalRow(facts.patient)) return left('no-clinical-row', 'no clinical row for this patient');
  if (modality !== null && !RADIOGRAPH_MODALITIES.has(modality.toUpperCase())) return left('other-modality', `another modality (${modality})`);
  const bodyPart = facts.bodyPart!;
  if (bodyPart.verdict === 'other') return left('other-body-part', `another body part (${bodyPart.said})`);
  if (bodyPart.verdict === 'unknown') return left('body-part-unknown', 'body part unknown: neither BodyPartExamined nor the descriptions say lumbar');
  const view = facts.view!;
  if (view.view === 'frontal') return left('frontal-view', `an AP/PA view (${view.evidence})`);
  if (view.view === 'oblique') return left('oblique-view', `an oblique view (${view.evidence})`);
  if (facts.studyDate === '') return left('no-study-date', 'no study date: cannot tell whether this is the baseline study');
  return null; // a lateral lumbar radiograph, or one whose view is unknown: decided per patient
}
