/**
 * What a DICOM header says about its one frame of pixels, checked before any pixel is decoded. The
 * full reader (read-dicom.ts) and the header-only reader (read-header.ts, used by `cohort check`) both
 * call this, so a file is refused by both for the same reason, in the same words.
 */
import type dicomParser from 'dicom-parser';
import { RadiographReadError, type ReadFailureKind } from '../read-error.js';
import { SUPPORTED_TRANSFER_SYNTAXES, type FrameFormat } from './codecs/decode-frame.js';
import { textOf, transferSyntaxOf, uint16Of, type DataSet } from './parse-dicom.js';
import { transferSyntaxName } from './transfer-syntax-names.js';

/** Larger images than this are refused rather than allocated (a damaged Rows/Columns is the usual cause). */
const MAX_PIXELS = 1 << 27;

export interface PixelDescription {
  transferSyntax: string;
  pixelElement: dicomParser.Element;
  photometric: string;
  highBit: number;
  format: FrameFormat;
}

export function describePixels(file: string, dataSet: DataSet): PixelDescription {
  const fail = (kind: ReadFailureKind, reason: string): never => {
    throw new RadiographReadError(file, kind, reason);
  };
  const transferSyntax = transferSyntaxOf(dataSet);
  if (!SUPPORTED_TRANSFER_SYNTAXES.has(transferSyntax)) {
    fail('unsupported-transfer-syntax', `unsupported transfer syntax ${transferSyntax} (${transferSyntaxName(transferSyntax)})`);
  }
  const pixelElement = dataSet.elements.x7fe00010;
  if (pixelElement === undefined) {
    const other = dataSet.elements.x7fe00008 ? ' (it has float pixel data, which radiographs do not use)' : '';
    fail('no-pixel-data', `no pixel data${other}`);
  }

  const samples = uint16Of(dataSet, 'x00280002') ?? 1;
  const photometric = textOf(dataSet, 'x00280004') ?? (samples === 1 ? 'MONOCHROME2' : 'RGB');
  if (samples !== 1 || !/^MONOCHROME[12]$/.test(photometric)) {
    fail('colour', `colour image (${photometric}, ${samples} samples per pixel) where a greyscale radiograph was expected`);
  }
  const frames = numberOfFrames(dataSet);
  if (frames > 1) fail('multi-frame', `multi-frame image (${frames} frames) where a single radiograph was expected`);

  const rows = uint16Of(dataSet, 'x00280010') ?? 0;
  const columns = uint16Of(dataSet, 'x00280011') ?? 0;
  const bitsAllocated = uint16Of(dataSet, 'x00280100') ?? 0;
  const bitsStored = uint16Of(dataSet, 'x00280101') ?? bitsAllocated;
  const highBit = uint16Of(dataSet, 'x00280102') ?? bitsStored - 1;
  const signed = (uint16Of(dataSet, 'x00280103') ?? 0) === 1;
  if (rows === 0 || columns === 0) fail('corrupt', `Rows x Columns is ${rows}x${columns}`);
  if (rows * columns > MAX_PIXELS) fail('too-large', `${columns}x${rows} pixels is more than this reader accepts`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    fail('unsupported-pixel-format', `Bits Allocated ${bitsAllocated} (only 8 and 16 are supported for radiographs)`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    fail('corrupt', `inconsistent Bits Stored ${bitsStored} / High Bit ${highBit} for Bits Allocated ${bitsAllocated}`);
  }
  return {
    transferSyntax,
    pixelElement: pixelElement!,
    photometric,
    highBit,
    format: { rows, columns, bitsAllocated: bitsAllocated as 8 | 16, bitsStored, signed },
  };
}

function numberOfFrames(dataSet: DataSet): number {
  const text = textOf(dataSet, 'x00280008');
  if (text === undefined) return 1;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
