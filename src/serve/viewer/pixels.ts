/**
 * A radiograph for the browser. The page does window/level and zoom itself, in a canvas, from the
 * modality values sent once: dragging the window then costs no round trip and no re-encoding, which
 * a server-rendered PNG per window setting would (a 3000 x 2500 radiograph is ~10 MB of PNG each time).
 * The values go as little-endian uint16 when they are all integers in 0..65535 (nearly every
 * radiograph: 10-16 bit detectors, rescale slope 1), int16 when they fit that, and float32 otherwise,
 * so nothing is rounded and the common case is half the size of float32.
 *
 * The server-rendered PNG (windowed to 8 bits) stays for a quick look, a link or a saved picture.
 */
import { endianness } from 'node:os';
import type { Radiograph } from '../../imaging/index.js';
import { windowToBytes } from '../../imaging/index.js';
import { encodePng8 } from '../../imaging/image-files/png-writer.js';

export type PixelType = 'uint16' | 'int16' | 'float32';

export interface PixelBuffer {
  type: PixelType;
  rows: number;
  columns: number;
  /** rows * columns values, row-major, little-endian. */
  bytes: Buffer;
}

function narrowestType(values: Float32Array): PixelType {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) return 'float32';
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0 && max <= 65535) return 'uint16';
  if (min >= -32768 && max <= 32767) return 'int16';
  return 'float32';
}

export function pixelBuffer(r: Radiograph): PixelBuffer {
  const type = narrowestType(r.pixels);
  const typed = type === 'uint16' ? Uint16Array.from(r.pixels) : type === 'int16' ? Int16Array.from(r.pixels) : Float32Array.from(r.pixels);
  let bytes = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  if (endianness() === 'BE') {
    bytes = Buffer.from(bytes);
    if (type === 'float32') bytes.swap32();
    else bytes.swap16();
  }
  return { type, rows: r.rows, columns: r.columns, bytes };
}

/** The radiograph as an 8-bit greyscale PNG through a window (the file's, when none is given). */
export function radiographPng(r: Radiograph, window: { center: number; width: number } | null): Buffer {
  return encodePng8(windowToBytes(r.pixels, window ?? r.window), r.columns, r.rows);
}
