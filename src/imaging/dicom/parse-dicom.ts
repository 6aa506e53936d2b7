/**
 * Parses a DICOM file's bytes with dicom-parser (which keeps byte offsets rather than copying values,
 * so the pixel data is never duplicated) and turns its many failure modes into named read errors.
 * Accepts Part 10 files (preamble + "DICM") and, as old archives hold, bare datasets without a
 * preamble, read as Implicit VR Little Endian.
 */
import dicomParser from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import { RadiographReadError, describeThrown } from '../read-error.js';
import { TRANSFER_SYNTAX } from './uids.js';

export type DataSet = dicomParser.DataSet;
export type DicomElement = dicomParser.Element;

/** A deflated dataset may not inflate beyond this (guards against a "zip bomb"). */
const MAX_INFLATED_BYTES = 1 << 30;

export function hasPart10Prefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** A dataset without preamble usually starts with a group 0x0008 (or 0x0002) element. */
export function looksLikeBareDataset(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const group = bytes[0] | (bytes[1] << 8);
  return (group === 0x0008 || group === 0x0002) && bytes[3] === 0x00;
}

export interface ParseOptions {
  /**
   * Stop at the Pixel Data element, leaving its value unread: `bytes` may then be only the file's
   * start (the header-only reader passes a prefix, and the whole file when that is not enough).
   */
  untilPixelData?: boolean;
}

export function parseDicomBytes(file: string, bytes: Uint8Array, parse: ParseOptions = {}): DataSet {
  const part10 = hasPart10Prefix(bytes);
  if (!part10 && !looksLikeBareDataset(bytes)) {
    const why = bytes.length < 132 ? `only ${bytes.length} bytes` : 'no "DICM" marker at byte 128';
    throw new RadiographReadError(file, 'not-dicom', `not a DICOM file (${why})`);
  }
  const options: dicomParser.ParseDicomOptions = {
    ...(part10 ? {} : { TransferSyntaxUID: TRANSFER_SYNTAX.implicitLittle }),
    ...(parse.untilPixelData ? { untilTag: 'x7fe00010' } : {}),
    inflater: ((arr: Uint8Array, position: number) => inflate(file, arr, position)) as unknown as dicomParser.ParseDicomOptions['inflater'],
  };
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, options);
  } catch (thrown) {
    if (thrown instanceof RadiographReadError) throw thrown;
    const message = describeThrown(thrown);
    if (/past end of buffer|buffer overr|seek past|cannot be greater than or equal to|end of buffer|eof encountered/i.test(message)) {
      throw new RadiographReadError(file, 'truncated', `truncated or damaged DICOM file (${message})`);
    }
    if (/DICM prefix/.test(message)) throw new RadiographReadError(file, 'not-dicom', 'not a DICOM file (no "DICM" marker at byte 128)');
    throw new RadiographReadError(file, 'corrupt', `damaged DICOM file (${message})`);
  }
  return dataSet;
}

function inflate(file: string, arr: Uint8Array, position: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(arr.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    throw new RadiographReadError(file, 'corrupt', `deflated dataset does not inflate (${describeThrown(error)})`);
  }
  const out = Buffer.alloc(position + inflated.length);
  out.set(arr.subarray(0, position), 0);
  out.set(inflated, position);
  return out;
}

export function transferSyntaxOf(dataSet: DataSet): string {
  return (dataSet.string('x00020010') ?? TRANSFER_SYNTAX.implicitLittle).replace(/\0/g, '').trim();
}

/** A text value with padding removed; undefined when absent or empty. */
export function textOf(dataSet: DataSet, tag: string, index?: number): string | undefined {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length === 0) return undefined;
  const v = index === undefined ? dataSet.string(tag) : dataSet.string(tag, index);
  const trimmed = v?.replace(/\0/g, '').trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** All backslash-separated values of a text element. */
export function textValuesOf(dataSet: DataSet, tag: string): string[] | undefined {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length === 0) return undefined;
  const all = new TextDecoder('latin1').decode(dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length));
  return all.replace(/\0/g, '').split('\\').map((s) => s.trim());
}

/** Decimal String values parsed to numbers; undefined when absent; NaN entries when unreadable. */
export function decimalsOf(dataSet: DataSet, tag: string): number[] | undefined {
  const values = textValuesOf(dataSet, tag);
  if (values === undefined) return undefined;
  return values.map((s) => (s === '' ? NaN : Number(s)));
}

/** An unsigned short (US) value, or undefined. Reads in the dataset's byte order. */
export function uint16Of(dataSet: DataSet, tag: string): number | undefined {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length < 2) return undefined;
  return dataSet.uint16(tag);
}

/**
 * The Media Storage SOP Class UID (0002,0002) of a Part 10 file, read from its file meta group alone
 * (which sits in the first bytes): tells a DICOMDIR or a report from an image without parsing the rest.
 * undefined when the meta group cannot be read.
 */
export function mediaStorageSopClassOf(start: Uint8Array): string | undefined {
  try {
    const meta = dicomParser.readPart10Header(start);
    return textOf(meta, 'x00020002');
  } catch {
    return undefined;
  }
}
