/**
 * The header-only counterpart of readRadiograph: what a radiograph file says about itself (size,
 * spacing, modality, body part, view) and whether the reader would refuse it, without decoding the
 * pixels of a DICOM file. An ordinary image file (PNG, JPEG, TIFF) has no such header and is read
 * whole. Failures are the same RadiographReadErrors, with the same reasons, as readRadiograph's.
 */
import { readFileSync } from 'node:fs';
import { RadiographReadError, describeThrown } from './read-error.js';
import { readDicomHeader, readFileStart, type RadiographHeader } from './dicom/read-header.js';
import { hasPart10Prefix } from './dicom/parse-dicom.js';
import { sniffImageFile } from './image-files/sniff.js';
import { MAX_FILE_BYTES, readRadiograph } from './read-radiograph.js';

export type { RadiographHeader };

export interface HeaderReading extends RadiographHeader {
  /** false for DICOM (the pixels were located, not decoded); true for image files, which are read whole. */
  pixelsDecoded: boolean;
}

export async function readRadiographHeader(path: string): Promise<HeaderReading> {
  const { start, size } = readFileStart(path);
  if (size > MAX_FILE_BYTES) throw new RadiographReadError(path, 'too-large', `file of ${size} bytes is too large`);
  if (sniffImageFile(start) !== undefined && !hasPart10Prefix(start)) {
    const { pixels: _pixels, inversion: _inversion, window: _window, phi: _phi, ...header } = await readRadiograph(path);
    return { ...header, pixelsDecoded: true };
  }
  const readAll = (): Uint8Array => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new RadiographReadError(path, 'unreadable', `cannot read file (${describeThrown(error)})`);
    }
  };
  return { ...readDicomHeader(path, start, size, readAll), pixelsDecoded: false };
}
