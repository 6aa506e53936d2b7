/**
 * One entry point for every radiograph file: DICOM (any supported transfer syntax, with or without
 * the Part 10 preamble) or a PNG/JPEG/TIFF image, told apart by content, not by file name.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Radiograph } from './radiograph.js';
import { RadiographReadError, describeThrown } from './read-error.js';
import { readDicomRadiograph, type ReadOptions } from './dicom/read-dicom.js';
import { hasPart10Prefix } from './dicom/parse-dicom.js';
import { sniffImageFile } from './image-files/sniff.js';

export type { ReadOptions };

/** Files above this size are refused before reading (2 GiB is Node's Buffer limit anyway). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

export async function readRadiograph(path: string, options: ReadOptions = {}): Promise<Radiograph> {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw new RadiographReadError(path, 'too-large', `file of ${size} bytes is too large`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof RadiographReadError) throw error;
    throw new RadiographReadError(path, 'unreadable', `cannot read file (${describeThrown(error)})`);
  }
  return readRadiographBytes(path, bytes, options);
}

/** As readRadiograph, for bytes already in memory; `name` is used in error messages. */
export async function readRadiographBytes(name: string, bytes: Uint8Array, options: ReadOptions = {}): Promise<Radiograph> {
  const imageKind = sniffImageFile(bytes);
  // A DICOM preamble is free-form and may itself start like a TIFF header; "DICM" decides.
  if (imageKind !== undefined && !hasPart10Prefix(bytes)) {
    // Loaded on demand: sharp brings libvips, which DICOM-only runs need not pay for.
    const { readImageFile } = await import('./image-files/read-image-file.js');
    return readImageFile(name, bytes, imageKind);
  }
  return readDicomRadiograph(name, bytes, options);
}
