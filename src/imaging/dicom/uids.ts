/**
 * Deterministic DICOM UIDs. A "2.25." UID is a 128-bit number written in decimal (PS3.5 §B.2); taking
 * the number from a SHA-256 of what identifies the object gives the same UID for the same input, so
 * the writer's bytes are repeatable, and distinct inputs get distinct UIDs with overwhelming odds.
 */
import { createHash } from 'node:crypto';

export function uidFromHash(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // Length-prefix every part so that ("ab","c") and ("a","bc") hash differently.
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  const digest = hash.digest();
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(digest[i]);
  if (n === 0n) n = 1n; // "2.25.0" is legal but odd; keep the first digit non-zero
  return `2.25.${n.toString(10)}`;
}

/** Identifies the software that wrote a file (File Meta Information, Implementation Class UID). */
export const IMPLEMENTATION_CLASS_UID = uidFromHash('spinesurv implementation class');
export const IMPLEMENTATION_VERSION_NAME = 'SPINESURV_0_1';

export const SOP_CLASS = {
  /** Digital X-Ray Image Storage - For Presentation */
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  /** Secondary Capture Image Storage */
  OT: '1.2.840.10008.5.1.4.1.1.7',
} as const;

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless14: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
} as const;
