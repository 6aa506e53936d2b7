/**
 * What the results sent back to the PACS take from the radiograph they describe: the identifiers that
 * put them in the same study (and reference the source image), and the patient and study attributes
 * copied into them. The copied attributes keep their bytes exactly as received together with the
 * source's Specific Character Set, so a name in any character set arrives unchanged, and nothing is
 * re-encoded on the way.
 */
import { parseDicomBytes, textOf, type DataSet } from '../../imaging/dicom/parse-dicom.js';
import { InputError } from '../../util/errors.js';
import { text, type Element, type TextVr } from '../../imaging/dicom/element-encoder.js';

/** One copied attribute: its tag, VR and value bytes as the source held them (even length). */
export interface CopiedAttribute {
  group: number;
  element: number;
  vr: TextVr;
  keyword: string;
  /** The value bytes as received (character set of the source). */
  bytes: Uint8Array;
}

export interface SourceHeader {
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Modality of the source (e.g. 'DX', 'CR'); null when absent. */
  modality: string | null;
  /** Patient Orientation values of the source (e.g. ['P', 'F']); the capture has the same geometry. */
  patientOrientation: string[] | null;
  /** Specific Character Set (0008,0005) as received; null when absent (ASCII). */
  specificCharacterSet: string | null;
  /**
   * Patient and General Study attributes (and a few optional ones of the Patient Study module) that
   * the source had, in tag order. Type 2 attributes it lacked are written empty by the builders.
   */
  copied: CopiedAttribute[];
}

/** The Patient, General Study and Patient Study attributes copied into the results (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2). */
export const COPIED_ATTRIBUTES: { group: number; element: number; vr: TextVr; keyword: string; type2: boolean }[] = [
  { group: 0x0008, element: 0x0020, vr: 'DA', keyword: 'StudyDate', type2: true },
  { group: 0x0008, element: 0x0030, vr: 'TM', keyword: 'StudyTime', type2: true },
  { group: 0x0008, element: 0x0050, vr: 'SH', keyword: 'AccessionNumber', type2: true },
  { group: 0x0008, element: 0x0090, vr: 'PN', keyword: 'ReferringPhysicianName', type2: true },
  { group: 0x0008, element: 0x1030, vr: 'LO', keyword: 'StudyDescription', type2: false },
  { group: 0x0010, element: 0x0010, vr: 'PN', keyword: 'PatientName', type2: true },
  { group: 0x0010, element: 0x0020, vr: 'LO', keyword: 'PatientID', type2: true },
  { group: 0x0010, element: 0x0021, vr: 'LO', keyword: 'IssuerOfPatientID', type2: false },
  { group: 0x0010, element: 0x0030, vr: 'DA', keyword: 'PatientBirthDate', type2: true },
  { group: 0x0010, element: 0x0040, vr: 'CS', keyword: 'PatientSex', type2: true },
  { group: 0x0010, element: 0x1010, vr: 'AS', keyword: 'PatientAge', type2: false },
  { group: 0x0020, element: 0x0010, vr: 'SH', keyword: 'StudyID', type2: true },
];

const UID = /^[0-9]+(\.[0-9]+)*$/;

function tagKey(group: number, element: number): string {
  return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
}

function requiredUid(dataSet: DataSet, tag: string, name: string, where: string): string {
  const value = textOf(dataSet, tag);
  if (value === undefined) throw new InputError(`${where}: no ${name}; results cannot be placed in its study`);
  if (value.length > 64 || !UID.test(value)) throw new InputError(`${where}: ${name} is not a valid UID`);
  return value;
}

/** Reads the source radiograph's header with the project's parser; `where` names it in errors. */
export function sourceHeaderFromDicom(bytes: Uint8Array, where = 'source image'): SourceHeader {
  // parseDicomBytes throws RadiographReadError, an InputError naming `where`.
  return sourceHeaderFromDataSet(parseDicomBytes(where, bytes), where);
}

export function sourceHeaderFromDataSet(dataSet: DataSet, where = 'source image'): SourceHeader {
  const copied: CopiedAttribute[] = [];
  for (const a of COPIED_ATTRIBUTES) {
    const element = dataSet.elements[tagKey(a.group, a.element)];
    if (element === undefined || element.length === 0) continue;
    let bytes = dataSet.byteArray.slice(element.dataOffset, element.dataOffset + element.length);
    // Values are even-length in a valid file; pad as the encoder would if a sender forgot.
    if (bytes.length % 2 === 1) bytes = Uint8Array.from([...bytes, 0x20]);
    copied.push({ group: a.group, element: a.element, vr: a.vr, keyword: a.keyword, bytes });
  }
  const orientation = dataSet.elements.x00200020 !== undefined ? textOf(dataSet, 'x00200020') : undefined;
  return {
    sopClassUid: requiredUid(dataSet, 'x00080016', 'SOP Class UID', where),
    sopInstanceUid: requiredUid(dataSet, 'x00080018', 'SOP Instance UID', where),
    studyInstanceUid: requiredUid(dataSet, 'x0020000d', 'Study Instance UID', where),
    seriesInstanceUid: requiredUid(dataSet, 'x0020000e', 'Series Instance UID', where),
    modality: textOf(dataSet, 'x00080060') ?? null,
    patientOrientation: orientation === undefined ? null : orientation.split('\\').map((s) => s.trim()),
    specificCharacterSet: textOf(dataSet, 'x00080005') ?? null,
    copied,
  };
}

/**
 * The Patient and General Study elements for a result in the source's study: every copied attribute
 * with its bytes, the type 2 ones the source lacked written empty, the Study Instance UID, and the
 * source's Specific Character Set when it had one.
 */
export function studyElements(source: SourceHeader): Element[] {
  const elements: Element[] = [];
  for (const a of COPIED_ATTRIBUTES) {
    const found = source.copied.find((c) => c.group === a.group && c.element === a.element);
    if (found !== undefined) elements.push({ group: a.group, element: a.element, vr: a.vr, value: found.bytes });
    else if (a.type2) elements.push({ group: a.group, element: a.element, vr: a.vr, value: new Uint8Array(0) });
  }
  if (source.specificCharacterSet !== null) {
    elements.push(text(0x0008, 0x0005, 'CS', source.specificCharacterSet));
  }
  elements.push(text(0x0020, 0x000d, 'UI', source.studyInstanceUid));
  return elements;
}
