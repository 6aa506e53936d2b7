/**
 * Builds the imaging test files at test time from independent producers: the project's writer makes
 * two small native base images (12- and 16-bit), then dcmtk re-encodes them in every transfer syntax
 * it writes (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls, img2dcm) and edits tags (dcmodify), and openjpeg's
 * opj_compress makes the JPEG 2000 codestreams (wrapped into DICOM by the writer). Each file comes
 * with the producer's own decoding of its stored values (dcmtk's decoders + dcmdump +W, or
 * opj_decompress), which the reader must reproduce. The whole set takes about a second to build.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng16, writeDicom } from '../../src/imaging/index.js';
import { Random } from '../../src/util/random.js';
import { dcmtkPixelBytes, scratchDir, tool } from './dcmtk.js';

export interface Fixture {
  name: string;
  path: string;
  transferSyntax: string;
  /** The producer's decoding: stored values (before rescale), one per pixel. */
  stored: Int32Array;
  rows: number;
  columns: number;
  bitsStored: number;
  /** Largest difference allowed against `stored` (0 for lossless syntaxes). */
  tolerance: number;
}

export const ROWS = 93; // not a multiple of 8 or 16, so partial JPEG blocks are exercised
export const COLUMNS = 77;

/** A radiograph-like test image: smooth structures plus noise, over the full range of `bits`. */
export function baseImage(bits: 12 | 16, seed: number): Uint16Array {
  const rng = new Random(seed);
  const max = 2 ** bits - 1;
  const px = new Uint16Array(ROWS * COLUMNS);
  for (let y = 0; y < ROWS; y++) {
    for (let x = 0; x < COLUMNS; x++) {
      const body = Math.exp(-(((x - 40) / 18) ** 2)) * (0.6 + 0.3 * Math.sin(y / 6));
      const v = max * (0.05 + 0.85 * body) + rng.normal() * max * 0.01;
      px[y * COLUMNS + x] = Math.max(0, Math.min(max, Math.round(v)));
    }
  }
  px[0] = 0;
  px[1] = max; // the extremes, so that signedness and masking show
  return px;
}

function u16le(buf: Buffer): Int32Array {
  const out = new Int32Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt16LE(2 * i);
  return out;
}

function u8(buf: Buffer): Int32Array {
  return Int32Array.from(buf);
}

/** A binary PGM (P5) as opj_decompress writes it: header lines, '#' comments, big-endian 16-bit. */
export function readPgm(path: string): { width: number; height: number; values: Int32Array } {
  const buf = readFileSync(path);
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) {
      while (buf[i] !== 0x0a) i++;
      continue;
    }
    let token = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) token += String.fromCharCode(buf[i++]);
    fields.push(token);
  }
  i += 1;
  const [, w, h, maxval] = fields.map(Number);
  const n = w * h;
  const values = new Int32Array(n);
  for (let k = 0; k < n; k++) values[k] = maxval > 255 ? buf.readUInt16BE(i + 2 * k) : buf[i + k];
  return { width: w, height: h, values };
}

function writePgm(path: string, values: Uint16Array, maxval: number): void {
  const header = Buffer.from(`P5\n${COLUMNS} ${ROWS}\n${maxval}\n`, 'latin1');
  const body = Buffer.alloc(values.length * 2);
  values.forEach((v, k) => body.writeUInt16BE(v, 2 * k));
  writeFileSync(path, Buffer.concat([header, body]));
}

export interface FixtureSet {
  dir: string;
  base12: string;
  base16: string;
  pixels12: Uint16Array;
  pixels16: Uint16Array;
  /** Every encoding, with the producer's decoding. */
  encodings: Fixture[];
}

let cached: FixtureSet | undefined;

export function fixtures(): FixtureSet {
  if (cached !== undefined) return cached;
  const dir = scratchDir('imaging-fixtures-');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const pixels12 = baseImage(12, 11);
  const pixels16 = baseImage(16, 12);
  const base12 = join(dir, 'base12.dcm');
  const base16 = join(dir, 'base16.dcm');
  writeDicom(base12, { pixels: pixels12, rows: ROWS, columns: COLUMNS, bitsStored: 12, pixelSpacing: [0.15, 0.15], patientId: 'FIXTURE-12', viewPosition: 'LL' });
  writeDicom(base16, { pixels: pixels16, rows: ROWS, columns: COLUMNS, bitsStored: 16, pixelSpacing: [0.15, 0.15], patientId: 'FIXTURE-16', modality: 'OT' });

  const encodings: Fixture[] = [];
  const viaDcmtk = (name: string, from: string, command: string, args: string[], tolerance = 0) => {
    const path = join(dir, `${name}.dcm`);
    tool(command, [...args, from, path]);
    const header = tool('dcmdump', ['-s', '-Un', '+P', '0002,0010', '+P', '0028,0101', '+P', '0028,0100', path]).stdout;
    const transferSyntax = /\(0002,0010\) UI \[([0-9.]+)\]/.exec(header)![1];
    const bitsStored = Number(/\(0028,0101\) US (\d+)/.exec(header)![1]);
    const bitsAllocated = Number(/\(0028,0100\) US (\d+)/.exec(header)![1]);
    const raw = dcmtkPixelBytes(path, transferSyntax);
    const stored = bitsAllocated === 8 ? u8(raw).subarray(0, ROWS * COLUMNS) : u16le(raw);
    encodings.push({ name, path, transferSyntax, stored, rows: ROWS, columns: COLUMNS, bitsStored, tolerance });
  };
  viaDcmtk('explicit-12', base12, 'dcmconv', ['+te']);
  viaDcmtk('implicit-16', base16, 'dcmconv', ['+ti']);
  viaDcmtk('deflated-16', base16, 'dcmconv', ['+td']);
  viaDcmtk('big-endian-16', base16, 'dcmconv', ['+tb']);
  viaDcmtk('rle-12', base12, 'dcmcrle', []);
  viaDcmtk('rle-16', base16, 'dcmcrle', []);
  viaDcmtk('jpeg-sv1-12', base12, 'dcmcjpeg', ['+e1']);
  viaDcmtk('jpeg-sv1-16', base16, 'dcmcjpeg', ['+e1']);
  viaDcmtk('jpeg-p14-sv7-16', base16, 'dcmcjpeg', ['+el', '+sv', '7']);
  viaDcmtk('jpeg-p14-sv3-12', base12, 'dcmcjpeg', ['+el', '+sv', '3']);
  for (const sv of ['2', '4', '5', '6']) viaDcmtk(`jpeg-p14-sv${sv}-16`, base16, 'dcmcjpeg', ['+el', '+sv', sv]);
  // A point transform drops low bits (lossy); dcmtk's decoding is still the reference, exactly.
  viaDcmtk('jpeg-p14-pt2-12', base12, 'dcmcjpeg', ['+el', '+sv', '1', '+pt', '2']);
  viaDcmtk('jpeg-extended-12', base12, 'dcmcjpeg', ['+ee'], 1); // float IDCT vs IJG's integer one: off by 1 at ~4% of pixels
  viaDcmtk('jpeg-baseline-8', base12, 'dcmcjpeg', ['+eb']); // libjpeg-turbo matches dcmtk's IJG exactly
  viaDcmtk('jpeg-ls-16', base16, 'dcmcjpls', ['+el']);
  viaDcmtk('jpeg-ls-12', base12, 'dcmcjpls', ['+el']);
  viaDcmtk('jpeg-ls-near-12', base12, 'dcmcjpls', ['+en']);

  // img2dcm wraps an ordinary greyscale JPEG (here one that dcmj2pnm rendered) as secondary capture.
  const jpegPath = join(dir, 'render.jpg');
  tool('dcmj2pnm', ['+oj', '+Wm', base12, jpegPath]);
  viaDcmtk('img2dcm-jpeg-8', jpegPath, 'img2dcm', ['-i', 'JPEG']);

  // JPEG 2000 from openjpeg, lossless and lossy, 12- and 16-bit; opj_decompress is the reference.
  for (const [bits, pixels] of [[12, pixels12], [16, pixels16]] as const) {
    for (const lossy of [false, true]) {
      const name = `j2k-${lossy ? 'lossy' : 'lossless'}-${bits}`;
      const pgm = join(dir, `${name}.pgm`);
      const j2k = join(dir, `${name}.j2k`);
      writePgm(pgm, pixels, 2 ** bits - 1);
      tool('opj_compress', ['-i', pgm, '-o', j2k, ...(lossy ? ['-r', '20'] : [])]);
      const decodedPgm = join(dir, `${name}-decoded.pgm`);
      tool('opj_decompress', ['-i', j2k, '-o', decodedPgm]);
      const path = join(dir, `${name}.dcm`);
      const transferSyntax = lossy ? '1.2.840.10008.1.2.4.91' : '1.2.840.10008.1.2.4.90';
      writeDicom(path, {
        pixels, rows: ROWS, columns: COLUMNS, bitsStored: bits, pixelSpacing: [0.15, 0.15],
        encapsulated: { transferSyntax, frame: readFileSync(j2k), lossy },
      });
      encodings.push({ name, path, transferSyntax, stored: readPgm(decodedPgm).values, rows: ROWS, columns: COLUMNS, bitsStored: bits, tolerance: 0 });
    }
  }
  cached = { dir, base12, base16, pixels12, pixels16, encodings };
  return cached;
}

/** A copy of `from` edited by dcmodify (-nb: no backup file). */
export function modified(from: string, name: string, edits: string[]): string {
  const path = join(fixtures().dir, `${name}.dcm`);
  copyFileSync(from, path);
  tool('dcmodify', ['-nb', ...edits, path]);
  return path;
}

export function pngFixture(name: string, pixels: Uint16Array): string {
  const path = join(fixtures().dir, name);
  writeFileSync(path, encodePng16(pixels, COLUMNS, ROWS));
  return path;
}
