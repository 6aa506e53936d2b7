/**
 * A received image is acknowledged to its sender only once it is safely on disk: written under a
 * temporary name, flushed (fsync), renamed into place, and the folder flushed so that the rename
 * itself survives a crash. A reader never sees a half-written file under the final name.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The prefix of our temporary names, so that leftovers of a crash can be recognised and removed. */
export const TEMP_PREFIX = '.incoming-';

export async function writeFileDurable(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`);
  try {
    // Patient data: readable by the server's user only (the store folder is 0700 too).
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
