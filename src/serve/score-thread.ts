/**
 * A scoring thread of `spinesurv serve` (the pool: scorer-client.ts over src/scoring): loads the image
 * model and its keypoint detector once (the one scoring core, models/image/radiograph-scorer.ts), then
 * scores one stored radiograph at a time, so libtorch never holds up the DICOM and HTTP side on the
 * main thread. The outcome keeps the detector's keypoints even when they are flagged (the viewer shows
 * them so a clinician can correct them), and a clinician's keypoints can be given instead.
 */
import { chmodSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { RadiographScorer } from '../models/image/radiograph-scorer.js';
import { runScoringThread } from '../scoring/scoring-thread.js';
import type { ScoreJob, ScoreThreadSetup, ThreadResult } from './scorer-client.js';

/**
 * The heatmap is patient data and the store promises 0600 files. The scoring core writes it with the
 * process's default mode (0644 under the usual umask), and a worker thread cannot set the umask; so it
 * is written under a temporary name (this thread's own), made 0600, and only then renamed to the name
 * the viewer reads.
 */
const privateTemp = (path: string): string => join(dirname(path), `.heatmap-${basename(path)}.${process.pid}.${threadId}`);

function publishPrivate(path: string): void {
  const temp = privateTemp(path);
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

runScoringThread<ScoreThreadSetup, ScoreJob, ThreadResult>(async (setup, engineThreads) => {
  const scorer = await RadiographScorer.load(setup.modelDir, { threads: engineThreads });
  return async (job) => {
    // Messages name the instance by its tag (job.where), never the store's file path: reasons reach /api/results.
    const bytes = await readFile(job.file);
    if (job.inputOnly) {
      // The input rules alone, for an image that waits for clinical values.
      return (await scorer.checkInput({ where: job.where, bytes })) ?? { status: 'input-ok' };
    }
    const outcome = await scorer.score({
      where: job.where, bytes, clinical: job.clinical,
      keypoints: job.keypoints === null ? null : { keypoints: job.keypoints, flags: [] },
      heatmap: job.heatmap === null ? undefined : privateTemp(job.heatmap),
    });
    if (outcome.status === 'scored' && job.heatmap !== null) publishPrivate(job.heatmap);
    return outcome;
  };
});
