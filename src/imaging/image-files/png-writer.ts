/**
 * PNG writing: greyscale (8-bit previews and masks, 16-bit values) and 8-bit RGB (heatmap overlays). PNG's container is a few chunks
 * around zlib data, and Node ships zlib and CRC-32, so a synchronous, dependency-free, byte-for-byte
 * repeatable encoder is a few lines; reading PNGs of every flavour goes through sharp instead.
 */
import { crc32, deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../../util/atomic-write.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function checkSize(pixels: ArrayLike<number>, width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what}: width and height must be positive integers, got ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(`${what}: expected width*height = ${width * height} pixels, got ${pixels.length}`);
  }
}

/** PNG bytes for grey (colour type 0) or RGB (2) rows; rows are stored with filter type 0 (none) ahead of each. */
function encodeRows(bitDepth: 8 | 16, colourType: 0 | 2, width: number, height: number, rowBytes: (y: number, out: Buffer, offset: number) => void): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const stride = 1 + (width * (colourType === 2 ? 3 : 1) * bitDepth) / 8;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) rowBytes(y, raw, y * stride + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}

export function encodePng8(pixels: Uint8Array, width: number, height: number): Buffer {
  checkSize(pixels, width, height, 'writePng8');
  return encodeRows(8, 0, width, height, (y, out, offset) => out.set(pixels.subarray(y * width, (y + 1) * width), offset));
}

/** Interleaved 8-bit RGB (width * height * 3 bytes) as a PNG. */
export function encodePngRgb(rgb: Uint8Array, width: number, height: number): Buffer {
  checkSize({ length: rgb.length / 3 }, width, height, 'encodePngRgb');
  return encodeRows(8, 2, width, height, (y, out, offset) => out.set(rgb.subarray(3 * y * width, 3 * (y + 1) * width), offset));
}

export function encodePng16(pixels: Uint16Array, width: number, height: number): Buffer {
  checkSize(pixels, width, height, 'writePng16');
  return encodeRows(16, 0, width, height, (y, out, offset) => {
    for (let x = 0; x < width; x++) out.writeUInt16BE(pixels[y * width + x], offset + 2 * x);
  });
}

export function writePng8(path: string, pixels: Uint8Array, width: number, height: number): void {
  writeFileAtomic(path, encodePng8(pixels, width, height));
}

export function writePng16(path: string, pixels: Uint16Array, width: number, height: number): void {
  writeFileAtomic(path, encodePng16(pixels, width, height));
}
