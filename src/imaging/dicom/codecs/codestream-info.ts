/**
 * Reads the frame header of a compressed codestream (JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ) before
 * any decoder sees it. The header says which decoder fits (a 12-bit DCT JPEG needs a different one
 * from an 8-bit one) and must agree with the DICOM Rows/Columns/Samples; checking that first turns
 * most damaged streams into a clear error and keeps decoders from allocating for absurd sizes.
 */

import { isStartOfFrame, jpegSegments } from './jpeg-segments.js';

export interface CodestreamInfo {
  kind: 'jpeg' | 'jpeg-ls' | 'j2k';
  /** JPEG start-of-frame marker (0xC0 baseline, 0xC1 extended, 0xC3 lossless, ...); 0xF7 for JPEG-LS. */
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
  signed: boolean;
}

export class CodestreamError extends Error {}

function u16(b: Uint8Array, i: number): number {
  if (i + 2 > b.length) throw new CodestreamError('codestream ends inside its header');
  return (b[i] << 8) | b[i + 1];
}

function u32(b: Uint8Array, i: number): number {
  if (i + 4 > b.length) throw new CodestreamError('codestream ends inside its header');
  return ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
}

/** JPEG and JPEG-LS share the marker syntax: walk segments from SOI to the first frame header. */
export function jpegFrameHeader(b: Uint8Array): CodestreamInfo {
  const fail = (message: string) => new CodestreamError(message);
  for (const { marker, body, end } of jpegSegments(b, fail)) {
    if (isStartOfFrame(marker)) {
      if (end - body < 6) throw new CodestreamError('JPEG frame header too short');
      const precision = b[body];
      const height = u16(b, body + 1);
      const width = u16(b, body + 3);
      const components = b[body + 5];
      return { kind: marker === 0xf7 ? 'jpeg-ls' : 'jpeg', marker, precision, width, height, components, signed: false };
    }
    if (marker === 0xda) break;
  }
  throw new CodestreamError('no JPEG frame header before the scan');
}

/** JPEG 2000: a raw codestream (SOC, SIZ) or a JP2 file whose jp2c box holds one. */
export function j2kFrameHeader(b: Uint8Array): CodestreamInfo {
  let start = 0;
  if (!(b[0] === 0xff && b[1] === 0x4f)) {
    // JP2 wrapper: find the codestream start (SOC followed by SIZ) within the first boxes.
    start = -1;
    for (let i = 0; i + 4 <= Math.min(b.length, 4096); i++) {
      if (b[i] === 0xff && b[i + 1] === 0x4f && b[i + 2] === 0xff && b[i + 3] === 0x51) {
        start = i;
        break;
      }
    }
    if (start < 0) throw new CodestreamError('no JPEG 2000 codestream start (SOC/SIZ markers)');
  }
  const s = start;
  if (u16(b, s + 2) !== 0xff51) throw new CodestreamError('JPEG 2000 codestream without SIZ marker');
  const xsiz = u32(b, s + 8);
  const ysiz = u32(b, s + 12);
  const xo = u32(b, s + 16);
  const yo = u32(b, s + 20);
  const components = u16(b, s + 40);
  if (s + 42 >= b.length) throw new CodestreamError('codestream ends inside its header');
  const ssiz = b[s + 42];
  return {
    kind: 'j2k',
    marker: 0xff51,
    precision: (ssiz & 0x7f) + 1,
    width: xsiz - xo,
    height: ysiz - yo,
    components,
    signed: (ssiz & 0x80) !== 0,
  };
}
