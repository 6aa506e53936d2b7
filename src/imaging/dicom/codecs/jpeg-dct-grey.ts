/**
 * A greyscale sequential-DCT JPEG decoder (ITU-T T.81 baseline and extended Huffman processes, 8- or
 * 12-bit samples), written for DICOM's "JPEG Extended (Process 2 & 4)" syntax with 12-bit data: the
 * WASM libjpeg-turbo package decodes 8-bit only, and the one npm build that decodes 12-bit (the IJG
 * libjpeg inside dcmjs-imaging) corrupts its own state after one bad input and costs ~100 ms to
 * restart. Being plain TypeScript, a damaged stream here can only throw.
 *
 * The inverse DCT is computed in floating point and rounded; IJG's integer IDCT (what dcmtk uses)
 * rounds differently, so results may differ from dcmtk by one grey level at some pixels (lossy data).
 */

import { huffmanCodes, type HuffmanCodes } from './huffman-codes.js';
import { isStartOfFrame, jpegSegments, readU16 } from './jpeg-segments.js';

export interface DecodedGreyJpeg {
  width: number;
  height: number;
  precision: number;
  pixels: Uint16Array;
}

export class JpegDecodeError extends Error {}

/** Zig-zag position -> natural (row-major) position within the 8x8 block (T.81 Figure A.6). */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
  47, 55, 62, 63,
]);

/** cos((2x+1) u pi / 16) * C(u) / 2, indexed [u * 8 + x]. */
const IDCT_BASIS = (() => {
  const t = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const cu = u === 0 ? Math.SQRT1_2 : 1;
    for (let x = 0; x < 8; x++) t[u * 8 + x] = (cu / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return t;
})();

/** Reads entropy-coded bits, undoing 0xFF00 byte stuffing; at a marker it supplies zero bits. */
class BitReader {
  private buffer = 0;
  private bits = 0;
  /** Set when a marker was reached; the position points at its 0xFF. */
  markerHit = false;
  /** Zero bytes supplied past the data (at a marker or the end), still in or through the buffer. */
  private phantomBytes = 0;

  constructor(private readonly data: Uint8Array, public pos: number) {}

  private fill(): void {
    while (this.bits <= 24) {
      let byte = 0;
      if (this.markerHit || this.pos >= this.data.length) this.phantomBytes += 1;
      if (!this.markerHit && this.pos < this.data.length) {
        byte = this.data[this.pos];
        if (byte === 0xff) {
          const next = this.pos + 1 < this.data.length ? this.data[this.pos + 1] : 0xd9;
          if (next === 0x00) {
            this.pos += 2;
          } else {
            this.markerHit = true;
            this.phantomBytes += 1;
            byte = 0;
          }
        } else {
          this.pos += 1;
        }
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  bit(): number {
    if (this.bits === 0) this.fill();
    this.bits -= 1;
    return (this.buffer >>> this.bits) & 1;
  }

  receive(n: number): number {
    if (n === 0) return 0;
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.buffer >>> this.bits) & ((1 << n) - 1);
  }

  decode(table: HuffmanCodes): number {
    let code = this.bit();
    let len = 1;
    while (code > table.maxCode[len]) {
      code = (code << 1) | this.bit();
      len += 1;
      if (len > 16) throw new JpegDecodeError('invalid Huffman code in the scan');
    }
    const index = table.valPtr[len] + code - table.minCode[len];
    if (index >= table.values.length) throw new JpegDecodeError('Huffman code beyond its table');
    return table.values[index];
  }

  /**
   * Whether decoding has used bits that are not in the data. An encoder pads its last byte with
   * 1-bits, so a complete stream never needs the zeros supplied past a marker or the end.
   */
  overran(): boolean {
    return this.phantomBytes * 8 > this.bits;
  }

  /** Drops buffered bits and moves past the next RSTn marker (T.81 E.2.4); false when none is found. */
  restart(): boolean {
    this.buffer = 0;
    this.bits = 0;
    this.phantomBytes = 0;
    this.markerHit = false;
    let p = this.pos;
    while (p + 1 < this.data.length && !(this.data[p] === 0xff && this.data[p + 1] >= 0xd0 && this.data[p + 1] <= 0xd7)) p++;
    if (p + 1 >= this.data.length) return false;
    this.pos = p + 2;
    return true;
  }
}

/** EXTEND of T.81 F.2.2.1: turns an s-bit magnitude category value into a signed difference. */
function extend(v: number, s: number): number {
  return s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

export function decodeGreyJpeg(data: Uint8Array): DecodedGreyJpeg {
  const quant: (Float64Array | undefined)[] = [];
  const dcTables: (HuffmanCodes | undefined)[] = [];
  const acTables: (HuffmanCodes | undefined)[] = [];
  let restartInterval = 0;
  let frame: { precision: number; width: number; height: number; quantTable: number; id: number } | undefined;

  const fail = (message: string) => new JpegDecodeError(message);
  const u16 = (p: number) => readU16(data, p, fail);
  for (const { marker, body, end } of jpegSegments(data, fail)) {
    if (marker === 0xdb) {
      for (let p = body; p < end; ) {
        const pq = data[p] >> 4;
        const tq = data[p] & 15;
        p += 1;
        if (tq > 3 || pq > 1 || p + 64 * (pq + 1) > end) throw new JpegDecodeError('bad quantisation table');
        const table = new Float64Array(64);
        for (let k = 0; k < 64; k++) table[k] = pq === 0 ? data[p + k] : u16(p + 2 * k);
        quant[tq] = table;
        p += 64 * (pq + 1);
      }
    } else if (marker === 0xc4) {
      for (let p = body; p < end; ) {
        const tc = data[p] >> 4;
        const th = data[p] & 15;
        if (tc > 1 || th > 3 || p + 17 > end) throw new JpegDecodeError('bad Huffman table');
        const counts = data.subarray(p + 1, p + 17);
        let total = 0;
        for (const c of counts) total += c;
        if (p + 17 + total > end) throw new JpegDecodeError('Huffman table runs past its segment');
        const table = huffmanCodes(counts, data.subarray(p + 17, p + 17 + total));
        (tc === 0 ? dcTables : acTables)[th] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(body);
    } else if (marker === 0xc0 || marker === 0xc1) {
      const components = data[body + 5];
      if (components !== 1) throw new JpegDecodeError(`${components} colour components where one grey component was expected`);
      frame = { precision: data[body], height: u16(body + 1), width: u16(body + 3), id: data[body + 6], quantTable: data[body + 8] };
      if (frame.precision !== 8 && frame.precision !== 12) throw new JpegDecodeError(`${frame.precision}-bit DCT JPEG is not defined`);
      if (frame.width === 0 || frame.height === 0) throw new JpegDecodeError('JPEG frame of zero size (DNL marker not supported)');
    } else if (isStartOfFrame(marker)) {
      throw new JpegDecodeError(`JPEG process with marker 0xFF${marker.toString(16).toUpperCase()} is not a sequential Huffman DCT one`);
    } else if (marker === 0xda) {
      if (frame === undefined) throw new JpegDecodeError('scan before frame header');
      const ns = data[body];
      if (ns !== 1 || data[body + 1] !== frame.id) throw new JpegDecodeError('scan does not hold the single grey component');
      const td = data[body + 2] >> 4;
      const ta = data[body + 2] & 15;
      const dc = dcTables[td];
      const ac = acTables[ta];
      const q = quant[frame.quantTable];
      if (dc === undefined || ac === undefined || q === undefined) throw new JpegDecodeError('scan refers to a missing table');
      return { ...frame, pixels: decodeScan(data, end, frame, dc, ac, q, restartInterval) };
    }
  }
  throw new JpegDecodeError('JPEG stream without a scan');
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: { precision: number; width: number; height: number },
  dc: HuffmanCodes,
  ac: HuffmanCodes,
  q: Float64Array,
  restartInterval: number,
): Uint16Array {
  const { width, height, precision } = frame;
  const blocksPerLine = Math.ceil(width / 8);
  const blockLines = Math.ceil(height / 8);
  const out = new Uint16Array(width * height);
  const reader = new BitReader(data, start);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const shift = 1 << (precision - 1);
  const maxValue = (1 << precision) - 1;
  let prediction = 0;
  let untilRestart = restartInterval;
  for (let by = 0; by < blockLines; by++) {
    for (let bx = 0; bx < blocksPerLine; bx++) {
      if (restartInterval > 0) {
        if (untilRestart === 0) {
          if (!reader.restart()) throw new JpegDecodeError('restart marker missing');
          prediction = 0;
          untilRestart = restartInterval;
        }
        untilRestart -= 1;
      }
      coef.fill(0);
      const t = reader.decode(dc);
      if (t > 16) throw new JpegDecodeError('DC difference category out of range');
      prediction += extend(reader.receive(t), t);
      coef[0] = prediction * q[0];
      for (let k = 1; k < 64; ) {
        const rs = reader.decode(ac);
        const r = rs >> 4;
        const s = rs & 15;
        if (s === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) throw new JpegDecodeError('AC coefficient index past the block');
        coef[ZIGZAG[k]] = extend(reader.receive(s), s) * q[k];
        k += 1;
      }
      if (reader.overran()) throw new JpegDecodeError('JPEG entropy-coded data ends before the last block (truncated or damaged)');
      inverseDct(coef, tmp);
      const x0 = bx * 8;
      const y0 = by * 8;
      const xs = Math.min(8, width - x0);
      const ys = Math.min(8, height - y0);
      for (let y = 0; y < ys; y++) {
        const row = (y0 + y) * width + x0;
        for (let x = 0; x < xs; x++) {
          const v = Math.round(coef[y * 8 + x]) + shift;
          out[row + x] = v < 0 ? 0 : v > maxValue ? maxValue : v;
        }
      }
    }
  }
  return out;
}

/** Separable 8x8 inverse DCT (T.81 A.3.3) in place: rows of `block` are frequencies v, columns u. */
function inverseDct(block: Float64Array, tmp: Float64Array): void {
  // Along x: tmp[v][x] = sum_u C(u)/2 cos(...) F[v][u]
  for (let v = 0; v < 8; v++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += IDCT_BASIS[u * 8 + x] * block[v * 8 + u];
      tmp[v * 8 + x] = s;
    }
  }
  // Along y: f[y][x] = sum_v C(v)/2 cos(...) tmp[v][x]
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += IDCT_BASIS[v * 8 + y] * tmp[v * 8 + x];
      block[y * 8 + x] = s;
    }
  }
}
