/**
 * Reads DIR/model.json, the file every saved model folder starts with, and its "kind" field, which says
 * which loader understands the rest (coxph, deepsurv).
 */
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
