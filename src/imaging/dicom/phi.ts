/**
 * Identifying attributes (a subset of the PS3.15 Annex E basic profile that radiographs carry). The
 * reader returns them only when asked, and nothing in the project logs them.
 */
import { TextDecoder } from 'node:util';
import { textOf, type DataSet } from './parse-dicom.js';

const IDENTIFYING_TAGS: [string, string][] = [
  ['x00100010', 'PatientName'],
  ['x00100020', 'PatientID'],
  ['x00100030', 'PatientBirthDate'],
  ['x00100040', 'PatientSex'],
  ['x00101010', 'PatientAge'],
  ['x00101000', 'OtherPatientIDs'],
  ['x00101040', 'PatientAddress'],
  ['x00080020', 'StudyDate'],
  ['x00080030', 'StudyTime'],
  ['x00080050', 'AccessionNumber'],
  ['x00080080', 'InstitutionName'],
  ['x00080081', 'InstitutionAddress'],
  ['x00080090', 'ReferringPhysicianName'],
  ['x00081050', 'PerformingPhysicianName'],
  ['x00081070', 'OperatorsName'],
  ['x00181000', 'DeviceSerialNumber'],
  ['x00200010', 'StudyID'],
  ['x0020000d', 'StudyInstanceUID'],
  ['x0020000e', 'SeriesInstanceUID'],
  ['x00080018', 'SOPInstanceUID'],
];

/** Decodes text as the file's Specific Character Set says (UTF-8 or Latin-1; ASCII by default). */
function decoderFor(dataSet: DataSet): TextDecoder {
  const charset = textOf(dataSet, 'x00080005') ?? '';
  return new TextDecoder(/ISO_IR 192/.test(charset) ? 'utf-8' : 'latin1');
}

export function identifyingTags(dataSet: DataSet): Record<string, string> {
  const decoder = decoderFor(dataSet);
  const out: Record<string, string> = {};
  for (const [tag, name] of IDENTIFYING_TAGS) {
    const element = dataSet.elements[tag];
    if (element === undefined || element.length === 0) continue;
    const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
    const value = decoder.decode(bytes).replace(/\0/g, '').trim();
    if (value !== '') out[name] = value;
  }
  return out;
}
