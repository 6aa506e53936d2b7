/**
 * The marker-segment syntax that JPEG and JPEG-LS share (T.81 B.1): after SOI, each segment is 0xFF,
 * a marker byte and a 16-bit big-endian length that counts itself. Both hand-written decoders and the
 * codestream check walk it through this one reader; each passes its own error type.
 */

export interface JpegSegment {
  marker: number;
  /** Offset of the segment's first byte after the length field. */
  body: number;
  /** Offset just past the segment: the next marker, or a scan's entropy-coded data. */
  end: number;
}

export type MakeError = (message: string) => Error;

/** Big-endian 16-bit value at p; a stream that ends inside a header is an error. */
export function readU16(data: Uint8Array, p: number, fail: MakeError): number {
  if (p + 2 > data.length) throw fail('JPEG stream ends inside a header');
  return (data[p] << 8) | data[p + 1];
}

/**
 * The segments after SOI in stream order, fill bytes skipped, up to EOI or the end of the data. A
 * segment whose length runs past the data is an error, so every yielded body lies inside `data`.
 */
export function* jpegSegments(data: Uint8Array, fail: MakeError): Generator<JpegSegment> {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw fail('no JPEG start-of-image marker');
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) throw fail(`expected a JPEG marker at byte ${i}`);
    const marker = data[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return; // EOI carries no length
    const length = readU16(data, i + 2, fail);
    const end = i + 2 + length;
    if (length < 2 || end > data.length) {
      throw fail(`JPEG segment 0xFF${marker.toString(16).toUpperCase()} at byte ${i} runs past the end`);
    }
    yield { marker, body: i + 4, end };
    i = end;
  }
}

/** Start-of-frame markers (T.81 Table B.1; 0xF7 is JPEG-LS's SOF55); DHT, JPG and DAC share the range. */
export function isStartOfFrame(marker: number): boolean {
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
}
