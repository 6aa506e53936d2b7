/**
 * Turns one frame's bytes, in whatever transfer syntax, into stored sample words (the bit patterns
 * of Bits Allocated width, before masking, sign extension and rescale). Compressed frames are routed
 * by the codestream's own frame header (checked against Rows/Columns first), so a JPEG lossless
 * stream mislabelled as baseline still decodes.
 */
import { CodestreamError, j2kFrameHeader, jpegFrameHeader, type CodestreamInfo } from './codestream-info.js';
import { decodeGreyJpeg } from './jpeg-dct-grey.js';
import { decodeGreyLossless } from './jpeg-lossless-grey.js';
import { decodeRle } from './rle.js';
import { WasmCodec } from './wasm-codec.js';
import type { CharlsModule, EmscriptenFrameDecoder, LibJpegTurboModule, OpenJpegModule } from './vendor-types.js';
import { TRANSFER_SYNTAX as TS } from '../uids.js';
import { LITTLE_ENDIAN_HOST } from '../byte-order.js';


export interface FrameFormat {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
}

export interface DecodedFrame {
  /**
   * Stored words; for native data the bits sit where High Bit says, for decoded streams at the
   * bottom. The lossless JPEG decoder gives integer values as float32 directly (one allocation).
   */
  words: Uint8Array | Uint16Array | Float32Array;
  /** Bits to shift right before masking to Bits Stored (High Bit + 1 - Bits Stored for native data). */
  nativeLayout: boolean;
  /** Sample precision the codestream declared, when compressed. */
  codestreamPrecision?: number;
}

export class FrameDecodeError extends Error {
  constructor(message: string, readonly kind: 'corrupt' | 'truncated' | 'colour' | 'unsupported-pixel-format' = 'corrupt') {
    super(message);
  }
}

const NATIVE = new Set<string>([TS.implicitLittle, TS.explicitLittle, TS.deflated, TS.explicitBig]);
const JPEG_FAMILY = new Set<string>([TS.jpegBaseline, TS.jpegExtended, TS.jpegLossless14, TS.jpegLosslessSV1]);
const JPEG_LS = new Set<string>([TS.jpegLsLossless, TS.jpegLsNearLossless]);
const J2K = new Set<string>([TS.j2kLossless, TS.j2k]);

export const SUPPORTED_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([...NATIVE, ...JPEG_FAMILY, ...JPEG_LS, ...J2K, TS.rle]);

export function isEncapsulated(transferSyntax: string): boolean {
  return !NATIVE.has(transferSyntax);
}

const charls = new WasmCodec<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs', '@cornerstonejs/codec-charls/decodewasm');
const openjpeg = new WasmCodec<OpenJpegModule>('@cornerstonejs/codec-openjpeg/decodewasmjs', '@cornerstonejs/codec-openjpeg/decodewasm');
const libjpegTurbo = new WasmCodec<LibJpegTurboModule>(
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
);

export async function decodeFrame(transferSyntax: string, bytes: Uint8Array, format: FrameFormat): Promise<DecodedFrame> {
  if (NATIVE.has(transferSyntax)) return { words: nativeWords(bytes, format, transferSyntax === TS.explicitBig), nativeLayout: true };
  if (transferSyntax === TS.rle) {
    try {
      return { words: decodeRle(bytes, format.rows, format.columns, format.bitsAllocated === 8 ? 1 : 2), nativeLayout: true };
    } catch (error) {
      throw new FrameDecodeError(`RLE: ${(error as Error).message}`);
    }
  }
  const info = readHeader(transferSyntax, bytes);
  checkAgainstDicom(info, format);
  let words: Uint8Array | Uint16Array | Float32Array;
  try {
    words = await decodeCodestream(info, bytes);
  } catch (error) {
    if (error instanceof FrameDecodeError) throw error;
    throw new FrameDecodeError(`${describeCodestream(info)} failed to decode (${describe(error)})`);
  }
  const needed = format.rows * format.columns;
  if (words.length < needed) throw new FrameDecodeError(`${describeCodestream(info)} gave ${words.length} samples for ${needed} pixels`);
  return { words: words.length === needed ? words : words.subarray(0, needed), nativeLayout: false, codestreamPrecision: info.precision };
}

function readHeader(transferSyntax: string, bytes: Uint8Array): CodestreamInfo {
  try {
    return J2K.has(transferSyntax) ? j2kFrameHeader(bytes) : jpegFrameHeader(bytes);
  } catch (error) {
    if (error instanceof CodestreamError) throw new FrameDecodeError(`compressed frame unreadable: ${error.message}`);
    throw error;
  }
}

function checkAgainstDicom(info: CodestreamInfo, format: FrameFormat): void {
  if (info.components !== 1) {
    throw new FrameDecodeError(`the ${describeCodestream(info)} holds ${info.components} colour components where one grey component was expected`, 'colour');
  }
  if (info.width !== format.columns || info.height !== format.rows) {
    throw new FrameDecodeError(`the codestream is ${info.width}x${info.height} but Columns x Rows say ${format.columns}x${format.rows}`);
  }
  if (info.precision < 2 || info.precision > 16 || info.precision > format.bitsAllocated) {
    throw new FrameDecodeError(`the codestream has ${info.precision}-bit samples, which do not fit Bits Allocated ${format.bitsAllocated}`);
  }
}

function describeCodestream(info: CodestreamInfo): string {
  if (info.kind === 'j2k') return `${info.precision}-bit JPEG 2000 codestream`;
  if (info.kind === 'jpeg-ls') return `${info.precision}-bit JPEG-LS codestream`;
  const process = info.marker === 0xc3 || info.marker === 0xc7 ? 'lossless' : info.marker === 0xc2 || info.marker === 0xc6 ? 'progressive' : 'sequential DCT';
  return `${info.precision}-bit ${process} JPEG codestream`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'number') return `decoder error ${error}`;
  return String(error);
}

async function decodeCodestream(info: CodestreamInfo, bytes: Uint8Array): Promise<Uint8Array | Uint16Array | Float32Array> {
  if (info.kind === 'jpeg-ls') return charls.run((m) => runEmscripten(new m.JpegLSDecoder(), bytes, info));
  if (info.kind === 'j2k') return openjpeg.run((m) => runEmscripten(new m.J2KDecoder(), bytes, info));
  switch (info.marker) {
    case 0xc3:
      return decodeGreyLossless(bytes).pixels;
    case 0xc0:
    case 0xc1:
      if (info.precision === 8) return libjpegTurbo.run((m) => runEmscripten(new m.JPEGDecoder(), bytes, info));
      if (info.precision === 12) return decodeGreyJpeg(bytes).pixels;
      throw new FrameDecodeError(`${info.precision}-bit sequential DCT JPEG is not defined by the standard`);
    case 0xc2:
      if (info.precision === 8) return libjpegTurbo.run((m) => runEmscripten(new m.JPEGDecoder(), bytes, info));
      throw new FrameDecodeError('12-bit progressive JPEG is not supported', 'unsupported-pixel-format');
    default:
      throw new FrameDecodeError(`JPEG process with start-of-frame 0xFF${info.marker.toString(16).toUpperCase()} (hierarchical or arithmetic coding) is not supported`, 'unsupported-pixel-format');
  }
}

/** Copies the decoded samples out of WASM memory before the decoder (and its memory) is freed. */
function runEmscripten(decoder: EmscriptenFrameDecoder, bytes: Uint8Array, info: CodestreamInfo): Uint8Array | Uint16Array {
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const frame = decoder.getFrameInfo();
    if (frame.width !== info.width || frame.height !== info.height || frame.componentCount !== 1) {
      throw new FrameDecodeError(`decoder produced ${frame.width}x${frame.height}x${frame.componentCount} from a ${info.width}x${info.height} grey codestream`);
    }
    const decoded = decoder.getDecodedBuffer().slice();
    return frame.bitsPerSample > 8 ? new Uint16Array(decoded.buffer, decoded.byteOffset, decoded.byteLength >> 1) : decoded;
  } finally {
    try {
      decoder.delete();
    } catch {
      // A decoder that failed may not free cleanly; its module instance is discarded by WasmCodec.
    }
  }
}

function nativeWords(bytes: Uint8Array, format: FrameFormat, bigEndian: boolean): Uint8Array | Uint16Array {
  const n = format.rows * format.columns;
  if (format.bitsAllocated === 8) {
    if (bytes.length < n) throw new FrameDecodeError(`pixel data holds ${bytes.length} bytes for ${n} pixels`, 'truncated');
    return bytes.subarray(0, n);
  }
  if (bytes.length < 2 * n) throw new FrameDecodeError(`pixel data holds ${bytes.length} bytes for ${n} 16-bit pixels`, 'truncated');
  if (!bigEndian && LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  const words = new Uint16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) words[i] = view.getUint16(2 * i, !bigEndian);
  return words;
}
