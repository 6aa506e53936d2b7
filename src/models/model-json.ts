/**
 * Reads DIR/model.json, the file every saved model folder starts with, and its "kind" field, which says
 * which loader understands the rest (coxph, deepsurv).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';

export function readModelJson(dir: string): { kind: string; json: unknown } {
  const path = join(dir, 'model.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: cannot read a model (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string') throw new InputError(`${path}: no "kind" field`);
  return { kind, json };
}

/**
 * A model folder's weights file, read once and checked against the sha256 that model.json records
 * (when it records one), so a changed or corrupt file is refused by name before it is decoded.
 */
export function readCheckedWeights(weightsPath: string, sha256: string | undefined | null): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(weightsPath);
  } catch (error) {
    throw new InputError(`${weightsPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (sha256 && createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new InputError(`${weightsPath}: checksum does not match model.json (file changed or corrupt)`);
  }
  return bytes;
}
