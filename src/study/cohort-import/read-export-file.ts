/**
 * What one file of a PACS export is, from its header alone (the pixels are never decoded): a
 * radiograph with the attributes `cohort import` sorts by, a DICOMDIR (the export's index, not an
 * image), a file that is not DICOM at all (a 'DICM' marker at byte 128 decides), or a DICOM file the
 * radiograph reader refuses (truncated, colour, no pixel data ...), with the reader's own reason.
 */
import { readFileSync } from 'node:fs';
import { readDicomHeaderAndDataSet, readFileStart, type RadiographHeader } from '../../imaging/dicom/read-header.js';
import { hasPart10Prefix, mediaStorageSopClassOf, parseDicomBytes, textOf, type DataSet } from '../../imaging/dicom/parse-dicom.js';
import { identifyingTags } from '../../imaging/dicom/phi.js';
import { RadiographReadError, describeThrown } from '../../imaging/read-error.js';

/** Media Storage Directory Storage: the SOP class of a DICOMDIR (PS3.10 §7.2). */
const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';

/** The header attributes the import needs beyond the radiograph's own (all may be missing). */
export interface ExportAttributes {
  /** Identifying attributes by keyword (PatientID, AccessionNumber, StudyDate, StudyTime,
   * StudyInstanceUID ...), as phi.ts reads them. */
  ids: Record<string, string>;
  seriesDescription: string;
  protocolName: string;
  seriesNumber: number;
  instanceNumber: number;
}

export type ExportFileReading =
  | { kind: 'radiograph'; header: RadiographHeader; attributes: ExportAttributes }
  | { kind: 'dicomdir' }
  | { kind: 'not-dicom'; reason: string }
  /** attributes: what could still be read of the header, so the report can name the patient. */
  | { kind: 'unreadable'; reason: string; attributes: ExportAttributes | null };

export function readExportFile(path: string): ExportFileReading {
  let start: Uint8Array;
  let size: number;
  try {
    ({ start, size } = readFileStart(path));
  } catch (error) {
    return { kind: 'unreadable', reason: reasonOf(error), attributes: null };
  }
  if (!hasPart10Prefix(start)) {
    return { kind: 'not-dicom', reason: size < 132 ? `not DICOM (only ${size} bytes)` : 'not DICOM (no "DICM" marker at byte 128)' };
  }
  // A DICOMDIR has no pixel data (the radiograph reader would call it unreadable) and may be large.
  if (mediaStorageSopClassOf(start) === DICOMDIR_SOP_CLASS) return { kind: 'dicomdir' };
  const readAll = (): Uint8Array => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new RadiographReadError(path, 'unreadable', `cannot read file (${describeThrown(error)})`);
    }
  };
  try {
    const { header, dataSet } = readDicomHeaderAndDataSet(path, start, size, readAll);
    return { kind: 'radiograph', header, attributes: attributesOf(dataSet) };
  } catch (error) {
    const dataSet = bestEffortParse(path, start);
    return { kind: 'unreadable', reason: reasonOf(error), attributes: dataSet === null ? null : attributesOf(dataSet) };
  }
}

/** The header as far as it parses from the file's start; null when not even that works. */
function bestEffortParse(path: string, start: Uint8Array): DataSet | null {
  try {
    return parseDicomBytes(path, start, { untilPixelData: true });
  } catch {
    return null;
  }
}

function attributesOf(dataSet: DataSet): ExportAttributes {
  const integer = (tag: string): number => {
    const n = Number(textOf(dataSet, tag));
    return Number.isFinite(n) ? n : 0;
  };
  return {
    ids: identifyingTags(dataSet),
    seriesDescription: textOf(dataSet, 'x0008103e') ?? '',
    protocolName: textOf(dataSet, 'x00181030') ?? '',
    seriesNumber: integer('x00200011'),
    instanceNumber: integer('x00200013'),
  };
}

/** The reader's reason without the path it starts with (the report names the file in its own column). */
function reasonOf(error: unknown): string {
  if (error instanceof RadiographReadError) return error.reason;
  return describeThrown(error);
}
