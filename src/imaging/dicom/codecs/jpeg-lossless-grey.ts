/**
 * A greyscale JPEG lossless decoder (ITU-T T.81 Annex H, process 14: Huffman coding, predictors 1-7,
 * point transform, 2-16 bit samples), the encoding most PACS use for lossless radiographs.
 *
 * jpeg-lossless-decoder-js decodes these streams correctly but spends ~0.35 s of CPU on a 3000x2500
 * 16-bit frame (one tree walk per Huffman symbol), which left no margin under the one-second target
 * on this shared two-core machine, where touching fresh memory is also slow (~20 us per page). This
 * decoder reads symbols through a 9-bit lookup table straight from the stuffed stream and writes
 * float32 samples, so the frame costs one output allocation. Being plain TypeScript, a damaged
 * stream can only throw.
 */

import { huffmanCodes, type HuffmanCodes } from './huffman-codes.js';
import { isStartOfFrame, jpegSegments, readU16 } from './jpeg-segments.js';

export class JpegLosslessError extends Error {}

export interface DecodedLossless {
  width: number;
  height: number;
  precision: number;
  /** Sample values (integers), straight into float32: the reader's output type, one allocation. */
  pixels: Float32Array;
}

const LOOKUP_BITS = 9;

/** T.81 F.2.2.3 tables plus a 9-bit lookup that decodes the short codes in one step. */
interface Huffman extends HuffmanCodes {
  /** (length << 8 | symbol) for each 9-bit prefix whose code is at most 9 bits; 0 otherwise. */
  lookup: Uint16Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const codes = huffmanCodes(counts, values);
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  for (let len = 1; len <= LOOKUP_BITS; len++) {
    for (let code = codes.minCode[len]; code <= codes.maxCode[len]; code++) {
      const entry = (len << 8) | values[codes.valPtr[len] + code - codes.minCode[len]];
      const first = code << (LOOKUP_BITS - len);
      for (let f = 0; f < 1 << (LOOKUP_BITS - len); f++) lookup[first + f] = entry;
    }
  }
  return { ...codes, lookup };
}

interface Scan {
  width: number;
  height: number;
  precision: number;
  predictor: number;
  pointTransform: number;
  table: Huffman;
  restartInterval: number;
  /** The whole JPEG stream and where the entropy-coded data begins. */
  stream: Uint8Array;
  start: number;
}

export function decodeGreyLossless(stream: Uint8Array): DecodedLossless {
  const scan = parseHeaders(stream);
  return { width: scan.width, height: scan.height, precision: scan.precision, pixels: decodeSamples(scan) };
}

function parseHeaders(b: Uint8Array): Scan {
  const tables: (Huffman | undefined)[] = [];
  let frame: { precision: number; width: number; height: number; id: number } | undefined;
  let restartInterval = 0;
  const fail = (message: string) => new JpegLosslessError(message);
  const u16 = (p: number) => readU16(b, p, fail);
  for (const { marker, body, end } of jpegSegments(b, fail)) {
    if (marker === 0xc4) {
      for (let p = body; p < end; ) {
        const th = b[p] & 15;
        if (th > 3 || p + 17 > end) throw new JpegLosslessError('bad Huffman table');
        const counts = b.subarray(p + 1, p + 17);
        let total = 0;
        for (const c of counts) total += c;
        if (p + 17 + total > end) throw new JpegLosslessError('Huffman table runs past its segment');
        tables[th] = buildHuffman(counts, b.subarray(p + 17, p + 17 + total));
        p += 17 + total;
      }
    } else if (marker === 0xc3) {
      if (b[body + 5] !== 1) throw new JpegLosslessError(`${b[body + 5]} colour components where one grey component was expected`);
      frame = { precision: b[body], height: u16(body + 1), width: u16(body + 3), id: b[body + 6] };
      if (frame.precision < 2 || frame.precision > 16) throw new JpegLosslessError(`${frame.precision}-bit lossless JPEG is not defined`);
      if (frame.width === 0 || frame.height === 0) throw new JpegLosslessError('JPEG frame of zero size (DNL marker not supported)');
    } else if (isStartOfFrame(marker)) {
      throw new JpegLosslessError(`start-of-frame 0xFF${marker.toString(16).toUpperCase()} is not the Huffman lossless process`);
    } else if (marker === 0xdd) {
      restartInterval = u16(body);
    } else if (marker === 0xda) {
      if (frame === undefined) throw new JpegLosslessError('scan before frame header');
      if (b[body] !== 1 || b[body + 1] !== frame.id) throw new JpegLosslessError('scan does not hold the single grey component');
      const table = tables[b[body + 2] >> 4];
      const predictor = b[body + 3];
      const pointTransform = b[body + 5] & 15;
      if (table === undefined) throw new JpegLosslessError('scan refers to a missing Huffman table');
      if (predictor < 1 || predictor > 7) throw new JpegLosslessError(`lossless predictor ${predictor} is not 1-7`);
      if (pointTransform >= frame.precision) throw new JpegLosslessError(`point transform ${pointTransform} too large`);
      if (restartInterval > 0 && restartInterval % frame.width !== 0) {
        throw new JpegLosslessError('restart interval that is not a whole number of rows is not supported');
      }
      return { ...frame, predictor, pointTransform, table, restartInterval, stream: b, start: end };
    }
  }
  throw new JpegLosslessError('JPEG stream without a scan');
}

/**
 * Reads entropy-coded bits from the stream, undoing 0xFF00 stuffing. At a marker (or the end) it
 * supplies zero bits and counts them: a complete stream never needs them, as encoders pad with 1s.
 */
class StuffedBits {
  /** The low `bits` bits of `acc`, most significant first; kept under 2^24 (a small integer). */
  acc = 0;
  bits = 0;
  phantom = 0;
  constructor(private readonly b: Uint8Array, public pos: number) {}

  fill(): void {
    const b = this.b;
    while (this.bits < 16) {
      let byte = 0;
      const pos = this.pos;
      if (pos < b.length && b[pos] !== 0xff) {
        byte = b[pos];
        this.pos = pos + 1;
      } else if (pos + 1 < b.length && b[pos] === 0xff && b[pos + 1] === 0x00) {
        byte = 0xff;
        this.pos = pos + 2;
      } else {
        this.phantom += 8; // a marker or the end: stay here
      }
      this.acc = (this.acc << 8) | byte;
      this.bits += 8;
    }
  }

  /** Moves past the next RSTn marker and empties the buffer; false when there is none. */
  restart(): boolean {
    const b = this.b;
    let p = this.pos;
    while (p + 1 < b.length && !(b[p] === 0xff && b[p + 1] >= 0xd0 && b[p + 1] <= 0xd7)) p++;
    if (p + 1 >= b.length) return false;
    this.pos = p + 2;
    this.acc = 0;
    this.bits = 0;
    this.phantom = 0;
    return true;
  }
}

function decodeSamples(scan: Scan): Float32Array {
  const { width, height, precision, predictor, pointTransform, table } = scan;
  const out = new Float32Array(width * height);
  const rowsPerInterval = scan.restartInterval > 0 ? scan.restartInterval / width : height;
  const initial = 1 << (precision - pointTransform - 1);
  const { lookup, maxCode, valPtr, minCode, values } = table;
  const lookupMask = (1 << LOOKUP_BITS) - 1;
  const reader = new StuffedBits(scan.stream, scan.start);
  // Point-transformed sample values of the row above and of this row.
  let above = new Int32Array(width);
  let current = new Int32Array(width);

  for (let y = 0; y < height; y++) {
    const firstRowOfInterval = y % rowsPerInterval === 0;
    if (firstRowOfInterval && y > 0 && !reader.restart()) throw new JpegLosslessError('restart marker missing (truncated or damaged)');
    const row = y * width;
    let left = 0;
    for (let x = 0; x < width; x++) {
      // Huffman-decoded difference category (T.81 H.1.2.2); codes are at most 16 bits.
      if (reader.bits < 16) reader.fill();
      let acc = reader.acc;
      let bits = reader.bits;
      const entry = lookup[(acc >> (bits - LOOKUP_BITS)) & lookupMask];
      let t: number;
      if (entry !== 0) {
        bits -= entry >> 8;
        t = entry & 0xff;
      } else {
        let len = LOOKUP_BITS + 1;
        let code = (acc >> (bits - len)) & ((1 << len) - 1);
        while (code > maxCode[len]) {
          len += 1;
          if (len > 16) throw new JpegLosslessError('invalid Huffman code in the scan');
          code = (acc >> (bits - len)) & ((1 << len) - 1);
        }
        const index = valPtr[len] + code - minCode[len];
        if (index >= values.length) throw new JpegLosslessError('Huffman code beyond its table');
        bits -= len;
        t = values[index];
      }
      acc &= (1 << bits) - 1;
      let diff = 0;
      if (t === 16) {
        diff = 32768;
      } else if (t !== 0) {
        if (t > 16) throw new JpegLosslessError('difference category above 16');
        if (bits < t) {
          reader.acc = acc;
          reader.bits = bits;
          reader.fill();
          acc = reader.acc;
          bits = reader.bits;
        }
        bits -= t;
        const v = acc >> bits;
        acc &= (1 << bits) - 1;
        diff = v < 1 << (t - 1) ? v - (1 << t) + 1 : v;
      }
      reader.acc = acc;
      reader.bits = bits;
      if (reader.phantom > bits) throw new JpegLosslessError('entropy-coded data ends before the last sample (truncated or damaged)');

      // Prediction (T.81 Table H.1), on point-transformed values.
      let p: number;
      if (x === 0) {
        p = firstRowOfInterval ? initial : above[0];
      } else if (firstRowOfInterval || predictor === 1) {
        p = left;
      } else {
        const rb = above[x];
        const rc = above[x - 1];
        switch (predictor) {
          case 2: p = rb; break;
          case 3: p = rc; break;
          case 4: p = left + rb - rc; break;
          case 5: p = left + ((rb - rc) >> 1); break;
          case 6: p = rb + ((left - rc) >> 1); break;
          default: p = (left + rb) >> 1; break;
        }
      }
      left = (p + diff) & 0xffff;
      current[x] = left;
      out[row + x] = (left << pointTransform) & 0xffff;
    }
    const swap = above;
    above = current;
    current = swap;
  }
  return out;
}
