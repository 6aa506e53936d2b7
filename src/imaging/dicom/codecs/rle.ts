/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits-coded
 * segment per byte plane (most significant byte first). Small enough to write than to depend on.
 */
export class RleDecodeError extends Error {}

export function decodeRle(data: Uint8Array, rows: number, columns: number, bytesPerSample: 1 | 2): Uint8Array | Uint16Array {
  if (data.length < 64) throw new RleDecodeError('RLE header shorter than 64 bytes');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== bytesPerSample) throw new RleDecodeError(`RLE frame has ${segments} segments where ${bytesPerSample} (one grey sample of ${8 * bytesPerSample} bits) were expected`);
  const n = rows * columns;
  const planes: Uint8Array[] = [];
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : data.length;
    if (start < 64 || start > end || end > data.length) throw new RleDecodeError(`RLE segment ${s + 1} lies outside the frame`);
    planes.push(unpackBits(data.subarray(start, end), n, s + 1));
  }
  if (bytesPerSample === 1) return planes[0];
  const out = new Uint16Array(n);
  const [high, low] = planes;
  for (let i = 0; i < n; i++) out[i] = (high[i] << 8) | low[i];
  return out;
}

/** PackBits: a control byte n >= 0 copies n+1 literal bytes, n in -127..-1 repeats one byte 1-n times. */
function unpackBits(src: Uint8Array, n: number, segment: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  let o = 0;
  while (o < n && i < src.length) {
    const control = src[i] > 127 ? src[i] - 256 : src[i];
    i += 1;
    if (control >= 0) {
      const count = control + 1;
      if (i + count > src.length || o + count > n) throw new RleDecodeError(`RLE segment ${segment} literal run overflows`);
      out.set(src.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (control !== -128) {
      const count = 1 - control;
      if (i >= src.length || o + count > n) throw new RleDecodeError(`RLE segment ${segment} repeat run overflows`);
      out.fill(src[i], o, o + count);
      i += 1;
      o += count;
    }
  }
  if (o < n) throw new RleDecodeError(`RLE segment ${segment} holds ${o} of ${n} bytes`);
  return out;
}
