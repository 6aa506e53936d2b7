/**
 * Results back to the PACS (--forward AET@HOST:PORT): once an instance is scored, src/serve/dicom-out
 * builds the secondary capture (the radiograph with the keypoints, the Grad-CAM overlay and the risk in
 * words) and the structured report, in the source image's study, and sends both by C-STORE. The one
 * place the core meets dicom-out. startForwarding sends in the background from the database's queue; a
 * failed send waits and is tried again, never blocking scoring.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { ViewerBackend } from './backend.js';
import { checkDestination, forwardResults, pacsResult, type DicomDestination } from './dicom-out/index.js';
import { instanceOutcome, type InstanceRow, type ServeDb } from './serve-db.js';
import { uidTag } from './uid.js';

/** AET@HOST:PORT, checked; our own AE title calls it. */
export function parseForward(spec: string, callingAeTitle: string): DicomDestination {
  const m = /^([^@\s\\]{1,16})@([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(spec);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) throw new UsageError(`--forward ${spec}: expected AET@HOST:PORT (an AE title of at most 16 characters, a host, a port 1-65535)`);
  const dest = { aeTitle: m[1], host: m[2].replace(/^\[|\]$/g, ''), port, callingAeTitle };
  checkDestination(dest);
  return dest;
}

export interface Forwarder {
  /** Sends one scored instance's results; rejects when the destination did not take them. */
  send(row: InstanceRow): Promise<void>;
}

export function makeForwarder(dest: DicomDestination, imagesDir: string, backend: ViewerBackend): Forwarder {
  return {
    async send(row) {
      const outcome = instanceOutcome(row);
      if (outcome?.status !== 'scored') throw new Error('not scored');
      const result = pacsResult(outcome);
      const bytes = new Uint8Array(await readFile(join(imagesDir, row.file)));
      // Decoded off the main thread, as the viewer's reads are.
      const radiograph = await backend.radiograph(row.sop_instance_uid);
      if (radiograph === undefined) throw new Error(`instance ${uidTag(row.sop_instance_uid)}: no longer stored`);
      // The overlay the viewer shows (made once and kept): the capture carries the same Grad-CAM.
      const overlayPng = await backend.heatmapPng(row.sop_instance_uid);
      await forwardResults(dest, bytes, radiograph, result, overlayPng === undefined ? null : { overlayPng });
    },
  };
}

/** Sends scored results to the PACS in the background; a failure waits (retrySeconds, doubling, at most 10 min) and is tried again. */
export function startForwarding(db: ServeDb, forwarder: Forwarder, log: (line: string) => void, retrySeconds: number, onWake: (wake: () => void) => void): () => Promise<void> {
  let stopped = false;
  let wake: () => void = () => undefined;
  onWake(() => wake());
  const run = async (): Promise<void> => {
    while (!stopped) {
      let due: Awaited<ReturnType<ServeDb['forwardsDue']>> = [];
      try {
        due = await db.forwardsDue(new Date().toISOString(), 8);
      } catch (error) {
        log(`forward: cannot read the database (${(error as Error).message})`);
      }
      for (const row of due) {
        if (stopped) break;
        const tag = uidTag(row.sop_instance_uid);
        try {
          await forwarder.send(row);
          await db.markForwarded(row.sop_instance_uid, row.scored_at!);
          log(`forward: results of instance ${tag} sent`);
        } catch (error) {
          const wait = Math.min(600_000, retrySeconds * 1000 * 2 ** Math.min(row.forward_attempts, 5));
          await db.markForwardFailed(row.sop_instance_uid, (error as Error).message, new Date(Date.now() + wait).toISOString()).catch(() => undefined);
          log(`forward: results of instance ${tag} not sent (${(error as Error).message}); trying again in ${Math.round(wait / 1000)} s`);
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(5000, retrySeconds * 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const running = run();
  return async () => {
    stopped = true;
    wake();
    await running;
  };
}
