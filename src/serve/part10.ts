/**
 * A received C-STORE dataset as a DICOM Part 10 file: the 128-byte preamble, "DICM", the File Meta
 * Information (group 0002, Explicit VR Little Endian, PS3.10 §7.1) and then the dataset's bytes exactly
 * as they came over the network in the negotiated transfer syntax. The dataset is not decoded and
 * re-encoded, so the stored pixel data are the sender's bytes.
 */
import { concat, encodeDataset, text, binary, uint32 } from '../imaging/dicom/element-encoder.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../imaging/dicom/uids.js';

export interface ReceivedMeta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The sender's AE title (Source Application Entity Title). */
  callingAeTitle: string;
}

export function part10Bytes(meta: ReceivedMeta, dataset: Uint8Array): Uint8Array {
  const group = encodeDataset([
    binary(0x0002, 0x0001, 'OB', Uint8Array.of(0, 1)),
    text(0x0002, 0x0002, 'UI', meta.sopClassUid),
    text(0x0002, 0x0003, 'UI', meta.sopInstanceUid),
    text(0x0002, 0x0010, 'UI', meta.transferSyntaxUid),
    text(0x0002, 0x0012, 'UI', IMPLEMENTATION_CLASS_UID),
    text(0x0002, 0x0013, 'SH', IMPLEMENTATION_VERSION_NAME),
    text(0x0002, 0x0016, 'AE', meta.callingAeTitle.trim()),
  ]);
  const length = encodeDataset([uint32(0x0002, 0x0000, group.length)]);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, length, group, dataset]);
}

/**
 * The Media Storage SOP Class UID (0002,0002) of a Part 10 file, read from its File Meta Information
 * only (always Explicit VR Little Endian, PS3.10 §7.1), without parsing the dataset; null when absent.
 */
export function fileMetaSopClassUid(bytes: Uint8Array): string | null {
  if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 132;
  while (at + 8 <= bytes.length && view.getUint16(at, true) === 0x0002) {
    const element = view.getUint16(at + 2, true);
    const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
    // OB, OW, OF, SQ, UT, UN and UC/UR/OD/OL/OV/SV/UV carry a 4-byte length after two reserved bytes.
    const long = /^(OB|OW|OF|SQ|UT|UN|UC|UR|OD|OL|OV|SV|UV)$/.test(vr);
    const length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
    const start = at + (long ? 12 : 8);
    if (start + length > bytes.length) return null;
    if (element === 0x0002) return String.fromCharCode(...bytes.subarray(start, start + length)).replace(/[\0 ]+$/, '');
    at = start + length;
  }
  return null;
}
