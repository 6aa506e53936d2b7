/** Content hashes of radiographs: the key that makes a resubmitted image (under any name) a known one. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError } from '../util/errors.js';

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Streams the file (an archive's images can be large), so memory stays flat. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return hash.digest('hex');
}
