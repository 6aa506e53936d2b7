/**
 * Start-up after a crash: leftovers of unfinished writes are removed (they were never acknowledged),
 * and a stored file whose database row is missing (the server died between the rename and the insert;
 * its sender was not told "success" but the image is whole) is recorded as received, so it is scored
 * too. Rows still marked pending are simply picked up by the scoring loop.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from './durable-write.js';
import { fileMetaSopClassUid } from './part10.js';
import { describeInstance, recordInstance, sha256Hex, type ReceiveContext } from './receive-instance.js';
import { instanceFileName, legacyInstanceFileName } from './uid.js';

export async function recoverStore(ctx: ReceiveContext): Promise<{ added: number; removedTemporary: number }> {
  const names = await readdir(ctx.imagesDir);
  let removedTemporary = 0;
  for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
    await rm(join(ctx.imagesDir, name), { force: true });
    removedTemporary++;
  }
  const known = await ctx.db.files();
  let added = 0;
  for (const name of names.filter((n) => !n.startsWith(TEMP_PREFIX) && n.endsWith('.dcm') && !known.has(n))) {
    const bytes = new Uint8Array(await readFile(join(ctx.imagesDir, name)));
    let described;
    try {
      described = await describeInstance(name, bytes, ctx.decoder);
    } catch (error) {
      ctx.log(`store: ${name} has no database row and cannot be read (${(error as Error).message}); left as it is`);
      continue;
    }
    const sha256 = sha256Hex(bytes);
    if (name !== instanceFileName(described.sopInstanceUid, sha256) && name !== legacyInstanceFileName(described.sopInstanceUid)) {
      ctx.log(`store: ${name} has no database row and its name does not match its SOP Instance UID and bytes; left as it is`);
      continue;
    }
    const inserted = await recordInstance(ctx, described, { file: name, sha256, sopClassUid: fileMetaSopClassUid(bytes) ?? '' });
    if (inserted) added++;
  }
  if (added > 0 || removedTemporary > 0) {
    ctx.log(`store: recovered ${added} stored image(s) without a database row; removed ${removedTemporary} unfinished write(s)`);
  }
  return { added, removedTemporary };
}
