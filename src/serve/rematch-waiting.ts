/**
 * Start-up: an instance that waits for clinical values (status received, missing_clinical not empty)
 * is looked at again with this start's --clinical CSV. Its stored header is read again for age and
 * sex (the header wins over the CSV, as on arrival) and the values known on arrival are replaced by
 * the new merge; if they changed, it is marked pending, and the scoring loop scores it or finds it
 * still waiting. Without this, a CSV that arrives after the radiograph never reaches it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRadiographBytes } from '../imaging/index.js';
import { arrivalClinical, type ReceiveContext } from './receive-instance.js';
import { uidTag } from './uid.js';

export async function rematchWaiting(ctx: Pick<ReceiveContext, 'db' | 'imagesDir' | 'clinical' | 'clinicalColumns' | 'log' | 'decoder'>): Promise<number> {
  let rematched = 0;
  for (const row of await ctx.db.waitingForClinical()) {
    const where = `instance ${uidTag(row.sop_instance_uid)}`;
    let phi: Record<string, string>;
    try {
      const bytes = new Uint8Array(await readFile(join(ctx.imagesDir, row.file)));
      phi = ctx.decoder !== undefined ? await ctx.decoder.phi(where, bytes) : (await readRadiographBytes(where, bytes, { phi: true })).phi ?? {};
    } catch (error) {
      ctx.log(`store: ${where} waits for clinical values but its file cannot be read again (${(error as Error).message}); left waiting`);
      continue;
    }
    const clinical = arrivalClinical(ctx, phi);
    if (JSON.stringify(clinical) === row.clinical) continue;
    await ctx.db.rematchClinical(row.sop_instance_uid, clinical);
    rematched++;
  }
  if (rematched > 0) ctx.log(`store: ${rematched} image(s) waiting for clinical values have new values from --clinical; scoring them`);
  return rematched;
}
