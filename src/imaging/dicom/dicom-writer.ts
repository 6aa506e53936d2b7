/**
 * Writes a single-frame greyscale radiograph as DICOM Part 10, Explicit VR Little Endian,
 * MONOCHROME2: either a Digital X-Ray image "for presentation" (modality DX, the default) or a
 * Secondary Capture (modality OT, conversion type SYN for synthetic images).
 *
 * The bytes are a pure function of the input: UIDs come from a hash of the pixels and identifiers,
 * and no current date or time is written (study date/time only when the caller passes them). The
 * file appears atomically (temporary name, then rename).
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { LITTLE_ENDIAN_HOST } from './byte-order.js';
import {
  binary,
  concat,
  datasetParts,
  encodeDataset,
  sequence,
  text,
  uint16,
  uint32,
  type Element,
} from './element-encoder.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, SOP_CLASS, TRANSFER_SYNTAX, uidFromHash } from './uids.js';

export interface DicomImageToWrite {
  /** Row-major stored values, rows * columns of them, each below 2^bitsStored. */
  pixels: Uint16Array;
  rows: number;
  columns: number;
  bitsStored: 12 | 16;
  /** [row spacing, column spacing] in mm: the distance between row centres, then column centres. */
  pixelSpacing: [number, number];
  /** Default MONOCHROME2 (bone bright); MONOCHROME1 stores bone dark, as some vendors do. */
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  modality?: 'DX' | 'OT';
  seriesDescription?: string;
  patientId?: string;
  patientName?: string;
  /** YYYYMMDD and HHMMSS; left empty (type 2) when not given, so the bytes never depend on the clock. */
  studyDate?: string;
  studyTime?: string;
  /** e.g. 'LL' (left lateral), 'RL', 'AP', 'PA'. */
  viewPosition?: string;
  /** Direction of the column and row axes; DX default ["P", "F"] (a lateral view shown anterior-left). */
  patientOrientation?: [string, string];
  /** Display window; the full range of the pixel values when not given. */
  window?: { center: number; width: number };
  /** Body Part Examined; 'LSPINE' by default. */
  bodyPart?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  /**
   * Store this already-compressed codestream (one frame of `pixels`, e.g. from opj_compress) under
   * the given transfer syntax instead of the native pixels, which still set the window and UIDs.
   */
  encapsulated?: { transferSyntax: string; frame: Uint8Array; lossy?: boolean };
}

/** Lumbar spine in SNOMED CT (SCT 122496007), the DICOM code for the anatomic region (CID 4). */
const LUMBAR_SPINE_CODE = { value: '122496007', scheme: 'SCT', meaning: 'Lumbar spine' };

/** View Code Sequence entries for the usual spine views (CID 4010 "DX View", SNOMED CT). */
const VIEW_CODES: Record<string, { value: string; meaning: string }> = {
  LL: { value: '399173006', meaning: 'left lateral' },
  RL: { value: '399198007', meaning: 'right lateral' },
  AP: { value: '399348003', meaning: 'antero-posterior' },
  PA: { value: '272479007', meaning: 'postero-anterior' },
};

export function writeDicom(path: string, image: DicomImageToWrite): void {
  writeFileAtomic(path, encodeDicom(image));
}

/** The Part 10 bytes writeDicom would write. */
export function encodeDicom(image: DicomImageToWrite): Uint8Array {
  checkImage(image);
  const modality = image.modality ?? 'DX';
  const sopClass = SOP_CLASS[modality];

  const pixelBytes = littleEndianBytes(image.pixels);

  const contentHash = createHash('sha256')
    .update(pixelBytes)
    .update(JSON.stringify([image.rows, image.columns, image.bitsStored, image.pixelSpacing]))
    .digest();
  const patientId = image.patientId ?? '';
  const studyUid = patientId !== ''
    ? uidFromHash('study', patientId, image.studyDate ?? '', image.studyTime ?? '')
    : uidFromHash('study', contentHash);
  const seriesUid = uidFromHash('series', studyUid, modality, image.seriesDescription ?? '');
  const instanceUid = uidFromHash('instance', seriesUid, contentHash, JSON.stringify(metadataForHash(image)));

  const window = image.window ?? fullRangeWindow(image.pixels, image.bitsStored);
  const spacing = image.pixelSpacing.map(formatDs);
  const anyNonAscii = [image.patientId, image.patientName, image.seriesDescription].some((s) => s !== undefined && /[^\x20-\x7e]/.test(s));

  const elements: Element[] = [
    ...(anyNonAscii ? [text(0x0008, 0x0005, 'CS', 'ISO_IR 192')] : []),
    text(0x0008, 0x0008, 'CS', modality === 'DX' ? ['ORIGINAL', 'PRIMARY', ''] : ['DERIVED', 'SECONDARY']),
    text(0x0008, 0x0016, 'UI', sopClass),
    text(0x0008, 0x0018, 'UI', instanceUid),
    text(0x0008, 0x0020, 'DA', image.studyDate ?? ''),
    text(0x0008, 0x0030, 'TM', image.studyTime ?? ''),
    text(0x0008, 0x0050, 'SH', ''),
    text(0x0008, 0x0060, 'CS', modality),
    text(0x0008, 0x0070, 'LO', 'spinesurv'),
    text(0x0008, 0x0090, 'PN', ''),
    text(0x0010, 0x0010, 'PN', image.patientName ?? ''),
    text(0x0010, 0x0020, 'LO', patientId),
    text(0x0010, 0x0030, 'DA', ''),
    text(0x0010, 0x0040, 'CS', ''),
    text(0x0018, 0x0015, 'CS', image.bodyPart ?? 'LSPINE'),
    text(0x0020, 0x000d, 'UI', studyUid),
    text(0x0020, 0x000e, 'UI', seriesUid),
    text(0x0020, 0x0010, 'SH', '1'),
    text(0x0020, 0x0011, 'IS', String(image.seriesNumber ?? 1)),
    text(0x0020, 0x0013, 'IS', String(image.instanceNumber ?? 1)),
    // DX requires a value (1C); a lateral lumbar view is displayed anterior-left: columns run to
    // posterior, rows to the feet. Secondary capture leaves it empty (type 2C) unless given.
    text(0x0020, 0x0020, 'CS', image.patientOrientation ?? (modality === 'DX' ? ['P', 'F'] : '')),
    uint16(0x0028, 0x0002, 1),
    text(0x0028, 0x0004, 'CS', image.photometric ?? 'MONOCHROME2'),
    uint16(0x0028, 0x0010, image.rows),
    uint16(0x0028, 0x0011, image.columns),
    text(0x0028, 0x0030, 'DS', spacing),
    uint16(0x0028, 0x0100, 16),
    uint16(0x0028, 0x0101, image.bitsStored),
    uint16(0x0028, 0x0102, image.bitsStored - 1),
    uint16(0x0028, 0x0103, 0),
    text(0x0028, 0x1050, 'DS', formatDs(window.center)),
    text(0x0028, 0x1051, 'DS', formatDs(window.width)),
    text(0x0028, 0x1052, 'DS', '0'),
    text(0x0028, 0x1053, 'DS', '1'),
    text(0x0028, 0x1054, 'LO', 'US'),
    text(0x0028, 0x2110, 'CS', image.encapsulated?.lossy === true ? '01' : '00'),
  ];
  if (image.encapsulated === undefined) elements.push(binary(0x7fe0, 0x0010, 'OW', pixelBytes));
  if (image.seriesDescription !== undefined) elements.push(text(0x0008, 0x103e, 'LO', image.seriesDescription));
  if (modality === 'DX') elements.push(...digitalXRayModules(image, spacing));
  else elements.push(text(0x0008, 0x0064, 'CS', 'SYN'), text(0x0028, 0x0301, 'CS', 'NO'));

  const transferSyntax = image.encapsulated?.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
  const meta = fileMetaInformation(sopClass, instanceUid, transferSyntax);
  // The dataset's pieces go straight into the file's buffer: the pixel data is copied once.
  const parts = [new Uint8Array(128), new TextEncoder().encode('DICM'), meta, ...datasetParts(elements)];
  if (image.encapsulated !== undefined) parts.push(encapsulatedPixelData(image.encapsulated.frame));
  return concat(parts);
}

/** Attributes the Digital X-Ray Image IOD adds (PS3.3 A.26): DX series, anatomy, image, detector. */
function digitalXRayModules(image: DicomImageToWrite, spacing: string[]): Element[] {
  const elements: Element[] = [
    sequence(0x0008, 0x2218, [[
      text(0x0008, 0x0100, 'SH', LUMBAR_SPINE_CODE.value),
      text(0x0008, 0x0102, 'SH', LUMBAR_SPINE_CODE.scheme),
      text(0x0008, 0x0104, 'LO', LUMBAR_SPINE_CODE.meaning),
    ]]),
    text(0x0018, 0x1164, 'DS', spacing),
    text(0x0018, 0x7004, 'CS', ''),
    text(0x0020, 0x0062, 'CS', 'U'),
    text(0x0028, 0x0301, 'CS', 'NO'),
    text(0x0028, 0x1040, 'CS', 'LIN'),
    signedShort(0x0028, 0x1041, 1),
    sequence(0x0040, 0x0555, []),
    text(0x0008, 0x0068, 'CS', 'FOR PRESENTATION'),
    text(0x2050, 0x0020, 'CS', 'IDENTITY'),
  ];
  // DX Positioning module: View Position, and then Positioner Type (type 2) must be there too.
  if (image.viewPosition !== undefined) {
    elements.push(text(0x0018, 0x5101, 'CS', image.viewPosition), text(0x0018, 0x1508, 'CS', ''));
    const view = VIEW_CODES[image.viewPosition];
    if (view !== undefined) {
      elements.push(sequence(0x0054, 0x0220, [[
        text(0x0008, 0x0100, 'SH', view.value),
        text(0x0008, 0x0102, 'SH', 'SCT'),
        text(0x0008, 0x0104, 'LO', view.meaning),
      ]]));
    }
  }
  return elements;
}

/** The stored values as little-endian bytes: a view of the same memory on a little-endian machine. */
function littleEndianBytes(pixels: Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const bytes = new Uint8Array(pixels.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pixels.length; i++) view.setUint16(2 * i, pixels[i], true);
  return bytes;
}

function signedShort(group: number, element: number, v: number): Element {
  const value = new Uint8Array(2);
  new DataView(value.buffer).setInt16(0, v, true);
  return { group, element, vr: 'SS', value };
}

/**
 * Pixel Data (7FE0,0010) OB of undefined length holding an empty Basic Offset Table item, one item
 * with the frame (padded to even length) and the sequence delimiter (PS3.5 §A.4).
 */
function encapsulatedPixelData(frame: Uint8Array): Uint8Array {
  const padded = frame.length % 2 === 0 ? frame : concat([frame, Uint8Array.of(0)]);
  const head = new Uint8Array(12 + 8 + 8);
  const view = new DataView(head.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  head[4] = 0x4f; // 'O'
  head[5] = 0x42; // 'B'
  view.setUint32(8, 0xffffffff, true);
  view.setUint16(12, 0xfffe, true); // empty Basic Offset Table item
  view.setUint16(14, 0xe000, true);
  view.setUint32(16, 0, true);
  view.setUint16(20, 0xfffe, true); // the frame's item
  view.setUint16(22, 0xe000, true);
  view.setUint32(24, padded.length, true);
  const tail = new Uint8Array(8);
  const tailView = new DataView(tail.buffer);
  tailView.setUint16(0, 0xfffe, true);
  tailView.setUint16(2, 0xe0dd, true);
  return concat([head, padded, tail]);
}

/** File Meta Information (group 0002, with its group length) for a Part 10 file of this SOP instance. */
export function fileMetaInformation(sopClass: string, instanceUid: string, transferSyntax: string): Uint8Array {
  const body = encodeDataset([
    binary(0x0002, 0x0001, 'OB', Uint8Array.of(0, 1)),
    text(0x0002, 0x0002, 'UI', sopClass),
    text(0x0002, 0x0003, 'UI', instanceUid),
    text(0x0002, 0x0010, 'UI', transferSyntax),
    text(0x0002, 0x0012, 'UI', IMPLEMENTATION_CLASS_UID),
    text(0x0002, 0x0013, 'SH', IMPLEMENTATION_VERSION_NAME),
  ]);
  return concat([encodeDataset([uint32(0x0002, 0x0000, body.length)]), body]);
}

function metadataForHash(image: DicomImageToWrite): unknown[] {
  return [image.modality ?? 'DX', image.patientName ?? '', image.viewPosition ?? '', image.patientOrientation ?? '',
    image.window ?? null, image.bodyPart ?? '', image.seriesNumber ?? 1, image.instanceNumber ?? 1];
}

function fullRangeWindow(pixels: Uint16Array, bitsStored: number): { center: number; width: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max >= min)) return { center: 2 ** (bitsStored - 1), width: 2 ** bitsStored };
  // PS3.3 C.11.2.1.2: values in [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] map to the full display range.
  const width = Math.max(1, max - min + 1);
  return { center: min + width / 2, width };
}

/** Decimal String: at most 16 characters (PS3.5 §6.2). */
export function formatDs(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`DICOM writer: cannot write ${x} as a decimal string`);
  let s = String(x);
  for (let digits = 15; s.length > 16 && digits > 0; digits--) s = String(Number(x.toPrecision(digits)));
  if (s.length > 16) s = x.toExponential(8);
  return s;
}

function checkImage(image: DicomImageToWrite): void {
  const { rows, columns, bitsStored, pixels, pixelSpacing } = image;
  for (const [name, v] of [['rows', rows], ['columns', columns]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new RangeError(`writeDicom: ${name} must be an integer in 1..65535, got ${v}`);
  }
  if (bitsStored !== 12 && bitsStored !== 16) throw new RangeError(`writeDicom: bitsStored must be 12 or 16, got ${bitsStored}`);
  if (!(pixels instanceof Uint16Array) || pixels.length !== rows * columns) {
    throw new RangeError(`writeDicom: pixels must be a Uint16Array of rows*columns = ${rows * columns} values, got ${pixels?.length}`);
  }
  if (bitsStored === 12) {
    for (let i = 0; i < pixels.length; i++) {
      if (pixels[i] > 4095) throw new RangeError(`writeDicom: pixel ${i} is ${pixels[i]}, above 4095 for 12 bits stored`);
    }
  }
  if (image.encapsulated !== undefined && !/^[0-9.]{1,64}$/.test(image.encapsulated.transferSyntax)) {
    throw new RangeError(`writeDicom: "${image.encapsulated.transferSyntax}" is not a transfer syntax UID`);
  }
  if (pixelSpacing.length !== 2 || !pixelSpacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new RangeError(`writeDicom: pixelSpacing must be two positive numbers (row mm, column mm), got ${JSON.stringify(pixelSpacing)}`);
  }
  if (image.studyDate !== undefined && image.studyDate !== '' && !/^\d{8}$/.test(image.studyDate)) {
    throw new RangeError(`writeDicom: studyDate must be YYYYMMDD, got "${image.studyDate}"`);
  }
  if (image.studyTime !== undefined && image.studyTime !== '' && !/^\d{2,6}(\.\d{1,6})?$/.test(image.studyTime)) {
    throw new RangeError(`writeDicom: studyTime must be HHMMSS, got "${image.studyTime}"`);
  }
  for (const [name, v, max] of [['patientId', image.patientId, 64], ['seriesDescription', image.seriesDescription, 64]] as const) {
    if (v !== undefined && (v.length > max || /[\\\x00-\x1f]/.test(v))) {
      throw new RangeError(`writeDicom: ${name} must be at most ${max} characters without backslashes or control characters`);
    }
  }
}
