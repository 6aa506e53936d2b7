/**
 * safetensors files (the format of Hugging Face's safetensors library): 8-byte little-endian header
 * length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}, then the raw little-endian tensor data (offsets relative to the end of the
 * header). The header is padded with spaces to a multiple of 8 bytes, as the Python library writes it.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';
import { InputError } from '../util/errors.js';
import { tensor } from './creation.js';
import type { DType, Tensor } from './tensor.js';
import { keep } from './scope.js';

const toCode: Record<DType, string> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', bool: 'BOOL', uint8: 'U8' };
const fromCode: Record<string, { dtype: DType; bytes: number }> = {
  F32: { dtype: 'float32', bytes: 4 },
  F64: { dtype: 'float64', bytes: 8 },
  I64: { dtype: 'int64', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
  BOOL: { dtype: 'bool', bytes: 1 },
  U8: { dtype: 'uint8', bytes: 1 },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The bytes of a safetensors file holding these tensors (in the given order). */
export function encodeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`safetensors: metadata value for ${k} must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" cannot name a tensor');
    const bytes = t.toBytes();
    header[name] = { dtype: toCode[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const jsonBytesLength = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytesLength % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Writes tensors (e.g. Module.stateDict()) to path, atomically. */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export interface SafetensorsContent {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Parses safetensors bytes; `source` names the file in error messages. Tensors escape scopes. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContent {
  // Declared with its type so that a call narrows like a throw statement.
  const fail: (why: string) => never = (why) => {
    throw new InputError(`${source}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail('shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, Tensor>();
  const ranges: [number, number, string][] = [];
  try {
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        if (!isObject(entry)) fail('__metadata__ is not an object');
        for (const [k, v] of Object.entries(entry)) {
          if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
          metadata[k] = v as string;
        }
        continue;
      }
      if (!isObject(entry)) fail(`tensor ${name}: entry is not an object`);
      const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const kind = typeof e.dtype === 'string' ? fromCode[e.dtype] : undefined;
      if (kind === undefined) fail(`tensor ${name}: unsupported dtype ${String(e.dtype)}`);
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name}: bad shape`);
      const offsets = e.data_offsets;
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0)) {
        fail(`tensor ${name}: bad data_offsets`);
      }
      const [begin, end] = offsets as [number, number];
      const numel = (shape as number[]).reduce((a, b) => a * b, 1);
      if (end < begin || end > dataLength) fail(`tensor ${name}: data_offsets [${begin}, ${end}] outside the data (${dataLength} bytes)`);
      if (end - begin !== numel * kind!.bytes) fail(`tensor ${name}: ${end - begin} bytes for ${numel} ${e.dtype} values`);
      ranges.push([begin, end, name]);
      const slice = bytes.subarray(dataStart + begin, dataStart + end);
      const copy = new Uint8Array(slice); // aligned copy; the addon copies it again into libtorch memory
      const data = kind!.dtype === 'float32' ? new Float32Array(copy.buffer)
        : kind!.dtype === 'float64' ? new Float64Array(copy.buffer)
        : kind!.dtype === 'int64' ? new BigInt64Array(copy.buffer)
        : kind!.dtype === 'int32' ? new Int32Array(copy.buffer)
        : copy;
      tensors.set(name, keep(tensor(data, shape as number[], { dtype: kind!.dtype })));
    }
    // The format requires the tensors to cover the data exactly, without holes or overlaps.
    ranges.sort((a, b) => a[0] - b[0]);
    let expected = 0;
    for (const [begin, end, name] of ranges) {
      if (begin !== expected) fail(`tensor ${name}: data starts at ${begin}, expected ${expected} (hole or overlap)`);
      expected = end;
    }
    if (expected !== dataLength) fail(`${dataLength - expected} bytes after the last tensor`);
  } catch (error) {
    for (const t of tensors.values()) t.dispose();
    throw error;
  }
  return { tensors, metadata };
}

/** Reads a safetensors file into tensors by name (they escape scopes; dispose them when done). */
export function loadSafetensors(path: string): Map<string, Tensor> {
  return readSafetensors(path).tensors;
}

/** Tensors and the __metadata__ strings of a safetensors file. */
export function readSafetensors(path: string): SafetensorsContent {
  return decodeSafetensors(new Uint8Array(readFileSync(path)), path);
}
