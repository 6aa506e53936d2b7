/**
 * Why a file could not be read as a radiograph. Every message names the file; `kind` lets a directory
 * scan count and report failures by cause. These are bad input (the CLI exits 2), never crashes.
 */
import { InputError } from '../util/errors.js';

export type ReadFailureKind =
  | 'not-dicom'
  | 'truncated'
  | 'unsupported-transfer-syntax'
  | 'unsupported-pixel-format'
  | 'no-pixel-data'
  | 'colour'
  | 'multi-frame'
  | 'corrupt'
  | 'too-large'
  | 'unreadable';

export class RadiographReadError extends InputError {
  override name = 'RadiographReadError';
  constructor(
    readonly file: string,
    readonly kind: ReadFailureKind,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** dicom-parser and the codecs throw strings, numbers (WASM exception pointers) or objects. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown !== null && typeof thrown === 'object' && 'exception' in thrown) return describeThrown((thrown as { exception: unknown }).exception);
  if (typeof thrown === 'number') return `decoder error (code ${thrown})`;
  return String(thrown);
}
