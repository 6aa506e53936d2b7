/**
 * What every result object shares: its UIDs, its place in the source's study, the equipment that
 * made it, and the Part 10 wrapping. UIDs are 2.25 UIDs from a hash (the project's scheme, uids.ts)
 * of the source image's SOP Instance UID, the model version and, for the instance, the whole result:
 * the same result sent twice is the same instance (a PACS keeps one), while a re-score (say after a
 * keypoint correction) is a new instance in the same series, never a second object under one UID.
 */
import { IMPLEMENTATION_VERSION_NAME, TRANSFER_SYNTAX, uidFromHash } from '../../imaging/dicom/uids.js';
import { fileMetaInformation } from '../../imaging/dicom/dicom-writer.js';
import { concat, datasetParts, text, type Element } from '../../imaging/dicom/element-encoder.js';
import { studyElements, type SourceHeader } from './source-header.js';
import { dicomDateTime, type PacsResult } from './pacs-result.js';

export type ResultKind = 'secondary-capture' | 'structured-report';

/** Series numbers of the two result series: high, so they sort after the acquired series. */
export const RESULT_SERIES_NUMBER: Record<ResultKind, number> = { 'secondary-capture': 9901, 'structured-report': 9902 };

export const MANUFACTURER = 'spinesurv';

export function resultSeriesUid(kind: ResultKind, source: SourceHeader, modelVersion: string): string {
  return uidFromHash('spinesurv result series', kind, source.sopInstanceUid, modelVersion);
}

export function resultInstanceUid(kind: ResultKind, source: SourceHeader, result: PacsResult): string {
  const content = JSON.stringify([result.risk, result.surv, result.percentile, result.keypoints, result.flags, result.scoredAt]);
  return uidFromHash('spinesurv result instance', kind, source.sopInstanceUid, result.modelVersion, content);
}

/**
 * Patient, General Study, series, equipment and SOP Common elements that both results carry;
 * the caller adds its IOD's own.
 */
export function commonResultElements(kind: ResultKind, sopClassUid: string, source: SourceHeader, result: PacsResult, seriesDescription: string): Element[] {
  const when = dicomDateTime(result.scoredAt);
  return [
    ...studyElements(source),
    text(0x0008, 0x0012, 'DA', when.date),
    text(0x0008, 0x0013, 'TM', when.time),
    text(0x0008, 0x0016, 'UI', sopClassUid),
    text(0x0008, 0x0018, 'UI', resultInstanceUid(kind, source, result)),
    text(0x0008, 0x0021, 'DA', when.date),
    text(0x0008, 0x0023, 'DA', when.date),
    text(0x0008, 0x0031, 'TM', when.time),
    text(0x0008, 0x0033, 'TM', when.time),
    text(0x0008, 0x0070, 'LO', MANUFACTURER),
    text(0x0008, 0x0201, 'SH', when.offset),
    text(0x0008, 0x103e, 'LO', seriesDescription),
    text(0x0008, 0x1090, 'LO', 'spinesurv vertebral fracture risk'),
    text(0x0018, 0x1020, 'LO', [IMPLEMENTATION_VERSION_NAME, `model ${result.modelVersion}`]),
    text(0x0020, 0x000e, 'UI', resultSeriesUid(kind, source, result.modelVersion)),
    text(0x0020, 0x0011, 'IS', String(RESULT_SERIES_NUMBER[kind])),
    text(0x0020, 0x0013, 'IS', '1'),
  ];
}

/** Preamble, "DICM", File Meta Information and the dataset, in Explicit VR Little Endian. */
export function part10(elements: Element[]): Uint8Array {
  const uidOf = (element: number): string => {
    const e = elements.find((x) => x.group === 0x0008 && x.element === element);
    if (e === undefined) throw new Error(`part10: dataset has no (0008,${element.toString(16).padStart(4, '0')})`);
    return new TextDecoder().decode(e.value).replace(/\0+$/, '');
  };
  const meta = fileMetaInformation(uidOf(0x0016), uidOf(0x0018), TRANSFER_SYNTAX.explicitLittle);
  return concat([new Uint8Array(128), new TextEncoder().encode('DICM'), meta, ...datasetParts(elements)]);
}
