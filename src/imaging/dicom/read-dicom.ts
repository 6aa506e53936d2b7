/**
 * Reads a single-frame greyscale DICOM radiograph into modality values (see Radiograph). Every way a
 * file can fail ends in a RadiographReadError naming the file and the cause.
 */
import type { Radiograph } from '../radiograph.js';
import { RadiographReadError, describeThrown, type ReadFailureKind } from '../read-error.js';
import { FrameDecodeError, decodeFrame, isEncapsulated } from './codecs/decode-frame.js';
import { decimalsOf, parseDicomBytes, type DataSet } from './parse-dicom.js';
import { acquisitionTags } from './acquisition-tags.js';
import { describePixels } from './pixel-description.js';
import { identifyingTags } from './phi.js';
import { readSpacing } from './spacing.js';
import { transferSyntaxName } from './transfer-syntax-names.js';
import dicomParser from 'dicom-parser';

export interface ReadOptions {
  /** Include identifying tags (patient name, IDs, dates...) in the result. */
  phi?: boolean;
}

export async function readDicomRadiograph(file: string, bytes: Uint8Array, options: ReadOptions = {}): Promise<Radiograph> {
  const dataSet = parseDicomBytes(file, bytes);
  const fail = (kind: ReadFailureKind, reason: string): never => {
    throw new RadiographReadError(file, kind, reason);
  };
  const { transferSyntax, pixelElement, photometric, highBit, format } = describePixels(file, dataSet);
  const { rows, columns, bitsStored, signed } = format;

  const frameBytes = extractFrame(file, dataSet, pixelElement, transferSyntax);
  let decoded;
  try {
    decoded = await decodeFrame(transferSyntax, frameBytes, format);
  } catch (error) {
    // dicom-parser notes (rather than throws) encapsulated pixel data cut short by the end of the file.
    const cutShort = (dataSet.warnings ?? []).some((w) => /pixel data element .*missing sequence delimiter|eof encountered/.test(w));
    if (cutShort) fail('truncated', `truncated file: the compressed pixel data ends early (${describeThrown(error)})`);
    if (error instanceof FrameDecodeError) fail(error.kind, `${transferSyntaxName(transferSyntax)}: ${error.message}`);
    throw new RadiographReadError(file, 'corrupt', `${transferSyntaxName(transferSyntax)}: ${describeThrown(error)}`);
  }
  const warnings: string[] = [];
  // dcmtk writes 12-bit data as 16-bit JPEG-lossless and JPEG-LS codestreams: a wider codestream loses
  // nothing unless a sample actually uses the bits above Bits Stored, so only that is worth a warning.
  if (decoded!.codestreamPrecision !== undefined && decoded!.codestreamPrecision > bitsStored && !signed) {
    const words = decoded!.words;
    let above = 0;
    for (let i = 0; i < words.length; i++) if (words[i] >>> bitsStored !== 0) above++;
    if (above > 0) {
      warnings.push(`codestream has ${decoded!.codestreamPrecision}-bit samples but Bits Stored is ${bitsStored}; ${above} samples used the top bits, which were dropped`);
    }
  }

  // Modality LUT (rescale): value = slope * stored + intercept.
  const slope = finiteOr(decimalsOf(dataSet, 'x00281053')?.[0], 1, 'Rescale Slope', warnings);
  const intercept = finiteOr(decimalsOf(dataSet, 'x00281052')?.[0], 0, 'Rescale Intercept', warnings);
  if (slope === 0) fail('corrupt', 'Rescale Slope is 0');
  if (dataSet.elements.x00283000 !== undefined) warnings.push('Modality LUT Sequence present but not applied (Rescale Slope/Intercept used)');

  const shift = decoded!.nativeLayout ? highBit + 1 - bitsStored : 0;
  const pixels = toModality(decoded!.words, bitsStored, signed, shift, slope, intercept);

  // MONOCHROME1: low values are bright. Turn once so that bone (high attenuation) is bright.
  const storedMin = signed ? -(2 ** (bitsStored - 1)) : 0;
  const storedMax = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  let inversion: number | null = null;
  if (photometric === 'MONOCHROME1') {
    inversion = slope * (storedMin + storedMax) + 2 * intercept;
    for (let i = 0; i < pixels.length; i++) pixels[i] = inversion - pixels[i];
  }

  const spacing = readSpacing(dataSet);
  warnings.push(...spacing.warnings);

  const radiograph: Radiograph = {
    pixels,
    rows,
    columns,
    bitsStored,
    photometric,
    inversion,
    transferSyntax,
    pixelSpacing: spacing.spacing,
    spacingSource: spacing.source,
    ...acquisitionTags(dataSet),
    window: displayWindow(dataSet, pixels, inversion, warnings),
    warnings,
  };
  if (options.phi === true) radiograph.phi = identifyingTags(dataSet);
  return radiograph;
}

function finiteOr(value: number | undefined, fallback: number, name: string, warnings: string[]): number {
  if (value === undefined) return fallback;
  if (Number.isFinite(value)) return value;
  warnings.push(`${name} is unreadable; ${fallback} used`);
  return fallback;
}

function extractFrame(file: string, dataSet: DataSet, element: dicomParser.Element, transferSyntax: string): Uint8Array {
  const available = dataSet.byteArray.length - element.dataOffset;
  if (!isEncapsulated(transferSyntax)) {
    if (element.encapsulatedPixelData) {
      throw new RadiographReadError(file, 'corrupt', 'pixel data is encapsulated but the transfer syntax is not a compressed one');
    }
    if (element.length === 0) throw new RadiographReadError(file, 'no-pixel-data', 'pixel data element is empty');
    if (element.length > available) {
      throw new RadiographReadError(file, 'truncated', `truncated file: pixel data needs ${element.length} bytes, ${Math.max(0, available)} present`);
    }
    return dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  }
  const fragments = element.fragments ?? [];
  if (!element.encapsulatedPixelData || fragments.length === 0) {
    throw new RadiographReadError(file, fragments.length === 0 && element.encapsulatedPixelData ? 'no-pixel-data' : 'corrupt', 'compressed transfer syntax but the pixel data holds no fragments');
  }
  for (const f of fragments) {
    if (f.position + f.length > dataSet.byteArray.length) {
      throw new RadiographReadError(file, 'truncated', 'truncated file: a pixel data fragment runs past the end');
    }
  }
  try {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
  } catch (error) {
    throw new RadiographReadError(file, 'corrupt', `pixel data fragments unreadable (${describeThrown(error)})`);
  }
}

/**
 * Stored words -> modality values. The common case (unsigned, nothing to mask, no rescale) is one
 * native typed-array copy; the general loop runs only when bits must be masked, sign-extended or
 * rescaled. (Split in monomorphic pieces: a cold loop over a union of array types is several times slower.)
 */
function toModality(words: Uint8Array | Uint16Array | Float32Array, bitsStored: number, signed: boolean, shift: number, slope: number, intercept: number): Float32Array {
  const bitsAllocated = words instanceof Uint8Array ? 8 : 16;
  const needsMask = shift !== 0 || signed || (bitsStored < bitsAllocated && maxOf(words) >= 2 ** bitsStored);
  let out: Float32Array;
  if (needsMask) {
    const ints = new Int32Array(words.length);
    ints.set(words);
    maskAndExtend(ints, bitsStored, signed, shift);
    out = new Float32Array(words.length);
    out.set(ints);
  } else if (words instanceof Float32Array) {
    out = words; // already the values; no copy
  } else {
    out = new Float32Array(words.length);
    out.set(words);
  }
  if (slope !== 1 || intercept !== 0) rescale(out, slope, intercept);
  return out;
}

function maxOf(words: Uint8Array | Uint16Array | Float32Array): number {
  if (words instanceof Uint8Array) return maxOf8(words);
  if (words instanceof Uint16Array) return maxOf16(words);
  return maxOf32(words);
}

function maxOf8(words: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < words.length; i++) if (words[i] > max) max = words[i];
  return max;
}

function maxOf16(words: Uint16Array): number {
  let max = 0;
  for (let i = 0; i < words.length; i++) if (words[i] > max) max = words[i];
  return max;
}

function maxOf32(words: Float32Array): number {
  let max = 0;
  for (let i = 0; i < words.length; i++) if (words[i] > max) max = words[i];
  return max;
}

function maskAndExtend(values: Int32Array, bitsStored: number, signed: boolean, shift: number): void {
  const mask = bitsStored >= 16 ? 0xffff : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  const wrap = 1 << bitsStored;
  for (let i = 0; i < values.length; i++) {
    let v = (values[i] >> shift) & mask;
    if (signed && (v & signBit) !== 0) v -= wrap;
    values[i] = v;
  }
}

function rescale(values: Float32Array, slope: number, intercept: number): void {
  for (let i = 0; i < values.length; i++) values[i] = slope * values[i] + intercept;
}

/**
 * The display window in the returned (bone-bright) values. From Window Center/Width when present;
 * from the VOI LUT's input range when that is what the file has; otherwise the data's range.
 */
function displayWindow(dataSet: DataSet, pixels: Float32Array, inversion: number | null, warnings: string[]): Radiograph['window'] {
  const center = decimalsOf(dataSet, 'x00281050')?.[0];
  const width = decimalsOf(dataSet, 'x00281051')?.[0];
  const turn = (c: number) => (inversion === null ? c : inversion - c);
  if (center !== undefined && width !== undefined && Number.isFinite(center) && Number.isFinite(width) && width >= 1) {
    return { center: turn(center), width, fromFile: true };
  }
  const lut = dataSet.elements.x00283010?.items?.[0]?.dataSet;
  if (lut !== undefined) {
    const entries = lut.uint16('x00283002', 0);
    const first = lut.elements.x00283002?.vr === 'SS' ? lut.int16('x00283002', 1) : lut.uint16('x00283002', 1);
    if (entries !== undefined && first !== undefined) {
      const n = entries === 0 ? 65536 : entries;
      warnings.push('window approximated from the VOI LUT Sequence input range');
      return { center: turn(first + n / 2), width: n, fromFile: true };
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max >= min)) return { center: 0, width: 1, fromFile: false };
  return { center: (min + max) / 2, width: Math.max(1, max - min), fromFile: false };
}
