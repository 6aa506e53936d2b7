/**
 * A deflated C-STORE dataset is bounded by what it says it holds, not only by its bytes on the wire:
 * --max-dicom-mb counts the compressed bytes, and 261 KB of deflate can inflate to 256 MiB (a "deflate
 * bomb"). The dataset is inflated as a stream (zlib's thread pool, not the main thread), keeping only
 * its first bytes, until Rows, Columns, Bits Allocated, Samples per Pixel and Number of Frames have been
 * read; from then on it may inflate to at most those pixels' bytes plus HEADER_MARGIN for the rest of the
 * header, and never past --max-dicom-mb. Past the bound the inflation stops at once and the dataset is
 * refused with the numbers; nothing of it is kept.
 */
import { createInflateRaw } from 'node:zlib';

/** Room for everything in a dataset but its pixels (private tags, icon images, overlays, sequences). */
export const HEADER_MARGIN = 8 << 20;

export interface ImageSize {
  rows: number;
  columns: number;
  bitsAllocated: number;
  samples: number;
  frames: number;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;
const BITS_ALLOCATED = 0x00280100;

/** Where an element of explicit VR little endian has its value and where it ends (an undefined length walked through its items), or null when the bytes stop first. */
function element(b: Buffer, at: number): { start: number; end: number } | null {
  if (at + 8 > b.length) return null;
  if (b.readUInt16LE(at) === 0xfffe) {
    // Item or delimiter: tag and a 4-byte length, no VR.
    const length = b.readUInt32LE(at + 4);
    const end = length === UNDEFINED ? nestedEnd(b, at + 8, 0xe00d) : at + 8 + length;
    return end === null ? null : { start: at + 8, end };
  }
  const long = LONG_VRS.has(b.toString('latin1', at + 4, at + 6));
  if (long && at + 12 > b.length) return null;
  const length = long ? b.readUInt32LE(at + 8) : b.readUInt16LE(at + 6);
  const start = at + (long ? 12 : 8);
  const end = length === UNDEFINED ? nestedEnd(b, start, 0xe0dd) : start + length;
  return end === null ? null : { start, end };
}

/** The end of an undefined-length sequence or item: elements up to and including the (FFFE,delimiter) tag. */
function nestedEnd(b: Buffer, at: number, delimiter: number): number | null {
  let p = at;
  for (;;) {
    if (p + 8 > b.length) return null;
    if (b.readUInt16LE(p) === 0xfffe && b.readUInt16LE(p + 2) === delimiter) return p + 8;
    const next = element(b, p);
    if (next === null || next.end > b.length) return null;
    p = next.end;
  }
}

/** Where the walk of a growing dataset start stands: the next element's offset and the values read so far. */
export interface SizeWalk {
  at: number;
  seen: Partial<ImageSize>;
}

/**
 * The image size from the start of an inflated dataset (explicit VR little endian), once every element
 * up to Bits Allocated has arrived: null while more bytes are needed, 'unreadable' when the elements
 * say no size. Resumes after the elements already walked (`walk.at`), so a growing buffer is walked once.
 */
export function imageSizeFrom(b: Buffer, walk: SizeWalk): ImageSize | null | 'unreadable' {
  const seen = walk.seen;
  const finish = (): ImageSize | 'unreadable' =>
    seen.rows === undefined || seen.columns === undefined || seen.bitsAllocated === undefined
      ? 'unreadable'
      : { rows: seen.rows, columns: seen.columns, bitsAllocated: seen.bitsAllocated, samples: seen.samples ?? 1, frames: seen.frames ?? 1 };
  while (walk.at + 8 <= b.length) {
    const tag = ((b.readUInt16LE(walk.at) << 16) | b.readUInt16LE(walk.at + 2)) >>> 0;
    if (tag > BITS_ALLOCATED) return finish();
    const e = element(b, walk.at);
    if (e === null || e.end > b.length) return null;
    const value = b.subarray(e.start, e.end);
    if (value.length >= 2) {
      if (tag === 0x00280010) seen.rows = value.readUInt16LE(0);
      if (tag === 0x00280011) seen.columns = value.readUInt16LE(0);
      if (tag === 0x00280002) seen.samples = value.readUInt16LE(0);
      if (tag === BITS_ALLOCATED) seen.bitsAllocated = value.readUInt16LE(0);
    }
    if (tag === 0x00280008) seen.frames = Math.max(1, Number.parseInt(value.toString('latin1').replace(/[\0 ]/g, ''), 10) || 1);
    walk.at = e.end;
    if (tag === BITS_ALLOCATED) return finish();
  }
  return null;
}

export function pixelBytes(s: ImageSize): number {
  return Math.ceil((s.rows * s.columns * s.samples * s.frames * s.bitsAllocated) / 8);
}

const mb = (n: number): string => (n / 1048576).toFixed(2);

/**
 * Why a deflated dataset must be refused for what it inflates to, or null when it stays within its
 * bound. `maxBytes`: the largest dataset accepted (--max-dicom-mb).
 */
export function inflatedSizeProblem(deflated: Uint8Array, maxBytes: number): Promise<string | null> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    const margin = Math.min(HEADER_MARGIN, maxBytes);
    // The start of the dataset, kept until the size is known (at most the header margin), grown by doubling.
    let head: Buffer | null = Buffer.alloc(64 * 1024);
    let headBytes = 0;
    const walk: SizeWalk = { at: 0, seen: {} };
    let size: ImageSize | 'unreadable' | null = null;
    let limit = margin;
    let total = 0;
    let done = false;
    const finish = (problem: string | null): void => {
      if (done) return;
      done = true;
      inflate.destroy();
      resolve(problem);
    };
    inflate.on('data', (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (head !== null && headBytes < margin) {
        const take = chunk.subarray(0, margin - headBytes);
        if (headBytes + take.length > head.length) {
          const grown = Buffer.alloc(Math.min(margin, Math.max(head.length * 2, headBytes + take.length)));
          head.copy(grown, 0, 0, headBytes);
          head = grown;
        }
        take.copy(head, headBytes);
        headBytes += take.length;
        size = imageSizeFrom(head.subarray(0, headBytes), walk);
        if (size !== null) {
          // Known (or known not to be there: the reader will say what is wrong): the start is no longer needed.
          if (size !== 'unreadable') limit = Math.min(pixelBytes(size) + HEADER_MARGIN, maxBytes);
          head = null;
        }
      }
      if (total > limit) {
        const declared = size === null || size === 'unreadable'
          ? `no Rows, Columns and Bits Allocated in its first ${mb(margin)} MB`
          : `${size.columns}x${size.rows} pixels of ${size.bitsAllocated} bits${size.samples > 1 ? ` x${size.samples} samples` : ''}${size.frames > 1 ? ` x${size.frames} frames` : ''} declare ${mb(pixelBytes(size))} MB; at most ${mb(HEADER_MARGIN)} MB more for the header`;
        finish(`the deflated dataset inflates past ${mb(limit)} MB (${declared}${limit === maxBytes ? '; --max-dicom-mb' : ''}); refused`);
      }
    });
    // A stream that does not inflate is the reader's to refuse, with its own reason.
    inflate.on('error', () => finish(null));
    inflate.on('end', () => finish(null));
    inflate.end(deflated);
  });
}
