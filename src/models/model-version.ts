/**
 * The model version that keys every stored result (the queue's and serve's): a hash of the model
 * folder's files (names and bytes), so that two copies of one model on two machines agree, and a
 * retrained model (new weights, same folder name) never reuses the old model's results.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { listFiles, OUTPUT_MARKER } from '../util/output-folder.js';

export function modelVersion(modelDir: string): string {
  let files: string[];
  try {
    files = listFiles(modelDir).filter((f) => f !== OUTPUT_MARKER);
  } catch (error) {
    throw new InputError(`${modelDir}: cannot read the model folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(f).update('\0');
    hash.update(createHash('sha256').update(readFileSync(join(modelDir, f))).digest());
  }
  return hash.digest('hex').slice(0, 16);
}
