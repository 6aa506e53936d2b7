/**
 * Reads what a DICOM radiograph's header says, without decoding its pixels: the checks of the full
 * reader that need no pixel (transfer syntax, greyscale, one frame, size, bit depth), whether the pixel
 * data is all there (for uncompressed data: its length against the file's size), the spacing and the
 * acquisition tags. For the cohort pre-flight, which must answer for thousands of files in seconds:
 * it reads the start of each file only, and the whole file only when the header runs past that start
 * (or the dataset is deflated). A compressed stream that is damaged inside is found only by decoding.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Radiograph } from '../radiograph.js';
import { RadiographReadError, describeThrown } from '../read-error.js';
import { acquisitionTags } from './acquisition-tags.js';
import { isEncapsulated } from './codecs/decode-frame.js';
import { parseDicomBytes, type DataSet } from './parse-dicom.js';
import { describePixels } from './pixel-description.js';
import { readSpacing } from './spacing.js';

/** What the header gives: the Radiograph fields that need no pixel. */
export type RadiographHeader = Omit<Radiograph, 'pixels' | 'inversion' | 'window' | 'phi'>;

/** Enough for the headers of ordinary radiographs; a larger one costs a second, whole-file read. */
const HEADER_PREFIX_BYTES = 64 * 1024;

/** `start` is the file's first bytes (already read by the caller to tell DICOM from an image file). */
export function readDicomHeader(file: string, start: Uint8Array, fileSize: number, readAll: () => Uint8Array): RadiographHeader {
  return readDicomHeaderAndDataSet(file, start, fileSize, readAll).header;
}

/**
 * readDicomHeader, also handing back the parsed dataset (up to the pixel data), for callers that need
 * attributes beyond the radiograph's own (`cohort import` groups files by patient, study and series).
 */
export function readDicomHeaderAndDataSet(
  file: string,
  start: Uint8Array,
  fileSize: number,
  readAll: () => Uint8Array,
): { header: RadiographHeader; dataSet: DataSet } {
  let dataSet: DataSet;
  let wholeFile = start.length >= fileSize;
  try {
    dataSet = parseDicomBytes(file, start, { untilPixelData: true });
  } catch (error) {
    if (wholeFile) throw error;
    // The header did not fit in the start (or is deflated, or the start cut an element): the whole file decides.
    dataSet = parseDicomBytes(file, readAll(), { untilPixelData: true });
    wholeFile = true;
  }
  const { transferSyntax, pixelElement, photometric, format } = describePixels(file, dataSet);
  if (!isEncapsulated(transferSyntax)) {
    if (pixelElement.length === 0) throw new RadiographReadError(file, 'no-pixel-data', 'pixel data element is empty');
    // A deflated dataset's offsets are into the inflated bytes, not the file: only the whole-file parse can say.
    const available = (wholeFile ? dataSet.byteArray.length : fileSize) - pixelElement.dataOffset;
    if (pixelElement.length > available) {
      throw new RadiographReadError(file, 'truncated', `truncated file: pixel data needs ${pixelElement.length} bytes, ${Math.max(0, available)} present`);
    }
  } else if (pixelElement.dataOffset >= (wholeFile ? dataSet.byteArray.length : fileSize)) {
    throw new RadiographReadError(file, 'truncated', 'truncated file: the compressed pixel data is missing');
  }
  const spacing = readSpacing(dataSet);
  const header: RadiographHeader = {
    rows: format.rows,
    columns: format.columns,
    bitsStored: format.bitsStored,
    photometric,
    transferSyntax,
    pixelSpacing: spacing.spacing,
    spacingSource: spacing.source,
    ...acquisitionTags(dataSet),
    warnings: spacing.warnings,
  };
  return { header, dataSet };
}

/** Opens `path` and reads its first bytes; readAll reads the rest when the header needs it. */
export function readFileStart(path: string, bytes = HEADER_PREFIX_BYTES): { start: Uint8Array; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new RadiographReadError(path, 'unreadable', `cannot read file (${describeThrown(error)})`);
  }
  try {
    const size = fstatSync(fd).size;
    const start = Buffer.alloc(Math.min(size, bytes));
    let done = 0;
    while (done < start.length) {
      const n = readSync(fd, start, done, start.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return { start: start.subarray(0, done), size };
  } catch (error) {
    throw new RadiographReadError(path, 'unreadable', `cannot read file (${describeThrown(error)})`);
  } finally {
    closeSync(fd);
  }
}
