/**
 * The scoring thread of `spinesurv serve`: loads the image model and its keypoint detector once (the
 * one scoring core, models/image/radiograph-scorer.ts), then scores one stored radiograph at a time, so
 * libtorch never holds up the DICOM and HTTP side on the main thread. The outcome keeps the detector's
 * keypoints even when they are flagged (the viewer shows them so a clinician can correct them), and a
 * clinician's keypoints can be given instead.
 */
import { chmodSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { RadiographScorer } from '../models/image/radiograph-scorer.js';
import type { ScoreJob, ScoreReply, ScoreThreadSetup } from './scorer-client.js';

const setup = workerData as ScoreThreadSetup;

/**
 * The heatmap is patient data and the store promises 0600 files. The scoring core writes it with the
 * process's default mode (0644 under the usual umask), and a worker thread cannot set the umask; so it
 * is written under a temporary name, made 0600, and only then renamed to the name the viewer reads.
 */
const privateTemp = (path: string): string => join(dirname(path), `.heatmap-${basename(path)}.${process.pid}.${threadId}`);

function publishPrivate(path: string): void {
  const temp = privateTemp(path);
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
const port = parentPort!;

async function main(): Promise<void> {
  const scorer = await RadiographScorer.load(setup.modelDir, { threads: setup.engineThreads });
  port.postMessage({ type: 'ready' } satisfies ScoreReply);
  // One job at a time, in arrival order: the client sends the next only after this one's reply.
  port.on('message', async (job: ScoreJob) => {
    try {
      // Messages name the instance by its tag (job.where), never the store's file path: reasons reach /api/results.
      const bytes = await readFile(job.file);
      if (job.inputOnly === true) {
        // The input rules alone, for an image that waits for clinical values.
        const refusal = await scorer.checkInput({ where: job.where, bytes });
        port.postMessage({ ...(refusal ?? { status: 'input-ok' as const }), id: job.id } satisfies ScoreReply);
        return;
      }
      const outcome = await scorer.score({
        where: job.where, bytes, clinical: job.clinical,
        keypoints: job.keypoints === null ? null : { keypoints: job.keypoints, flags: [] },
        heatmap: job.heatmap === null ? undefined : privateTemp(job.heatmap),
      });
      if (outcome.status === 'scored' && job.heatmap !== null) publishPrivate(job.heatmap);
      port.postMessage({ ...outcome, id: job.id } satisfies ScoreReply);
    } catch (error) {
      port.postMessage({ type: 'error', id: job.id, message: (error as Error).message ?? String(error) } satisfies ScoreReply);
    }
  });
}

main().catch((error: unknown) => {
  port.postMessage({ type: 'load-error', message: (error as Error).message ?? String(error) } satisfies ScoreReply);
});
