/**
 * Reads the frame header of a compressed codestream (JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ) before
 * any decoder sees it. The header says which decoder fits (a 12-bit DCT JPEG needs a different one
 * from an 8-bit one) and must agree with the DICOM Rows/Columns/Samples; checking that first turns
 * most damaged streams into a clear error and keeps decoders from allocating for absurd sizes.
 */

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
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new CodestreamError('no JPEG start-of-image marker');
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw new CodestreamError(`expected a JPEG marker at byte ${i}`);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = u16(b, i + 2);
    const isFrame = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isFrame) {
      if (length < 8) throw new CodestreamError('JPEG frame header too short');
      const precision = b[i + 4];
      const height = u16(b, i + 5);
      const width = u16(b, i + 7);
      const components = b[i + 9];
      if (i + 2 + length > b.length) throw new CodestreamError('codestream ends inside its frame header');
      return { kind: marker === 0xf7 ? 'jpeg-ls' : 'jpeg', marker, precision, width, height, components, signed: false };
    }
    if (marker === 0xda || marker === 0xd9) break;
    if (length < 2) throw new CodestreamError(`JPEG segment with length ${length} at byte ${i}`);
    i += 2 + length;
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
