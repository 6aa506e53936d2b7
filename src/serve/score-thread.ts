/**
 * The scoring thread of `spinesurv serve`: loads the image model and its keypoint detector once, then
 * scores one stored radiograph at a time, so libtorch never holds up the DICOM and HTTP side on the
 * main thread. The chain is the one `predict --image` runs (scoreRadiograph), with two differences a
 * server needs: the detector's keypoints are returned even when they are flagged (the viewer shows
 * them so a clinician can correct them), and a clinician's keypoints can be given instead.
 */
import { chmodSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { readRadiographBytes } from '../imaging/index.js';
import { loadLandmarkModel } from '../landmarks/index.js';
import { FlaggedRadiograph, keypointModelPath, keypointProblems, loadImageModel, parseImageModelJson, refuseNotLateralLumbar, scoreRadiograph, type KeypointSet } from '../models/image/index.js';
import { readModelJson } from '../models/model-json.js';
import { setNumThreads } from '../torch/index.js';
import { InputError } from '../util/errors.js';
import type { ScoreJob, ScoreReply, ScoreThreadSetup } from './scorer-client.js';

const setup = workerData as ScoreThreadSetup;

/**
 * The heatmap is patient data and the store promises 0600 files. scoreRadiograph writes it with the
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
  setNumThreads(setup.engineThreads);
  const json = parseImageModelJson(setup.modelDir, readModelJson(setup.modelDir).json);
  const model = loadImageModel(setup.modelDir, json);
  const detector = await loadLandmarkModel(keypointModelPath(setup.modelDir, json)!);
  port.postMessage({ type: 'ready' } satisfies ScoreReply);
  // One job at a time, in arrival order: the client sends the next only after this one's reply.
  port.on('message', async (job: ScoreJob) => {
    let predicted: number[] | null = null;
    try {
      // Messages name the instance by its tag (job.where), never the store's file path: reasons reach /api/results.
      const image = await readRadiographBytes(job.where, await readFile(job.file));
      // The image's own checks come before the detector, so that a blank or turned image is refused
      // for what it is and never shown with keypoints the detector made up on it.
      refuseNotLateralLumbar(job.where, image);
      if (job.inputOnly === true) {
        port.postMessage({ type: 'input-ok', id: job.id } satisfies ScoreReply);
        return;
      }
      let set: KeypointSet;
      if (job.keypoints !== null) {
        set = { keypoints: job.keypoints, flags: [] };
      } else {
        const found = detector.predict([image])[0];
        predicted = Array.from(found.keypoints);
        const flags = keypointProblems(found, false, image.rows, image.columns);
        if (flags.length > 0) {
          port.postMessage({ type: 'flagged', id: job.id, flags, reason: `keypoints flagged (${flags.join('; ')}); not scored`, predicted } satisfies ScoreReply);
          return;
        }
        set = { keypoints: predicted, flags: [] };
      }
      const r = await scoreRadiograph(model, job.where, set, job.clinical, { image, where: job.where, heatmap: job.heatmap === null ? undefined : privateTemp(job.heatmap) });
      if (job.heatmap !== null) publishPrivate(job.heatmap);
      port.postMessage({ type: 'scored', id: job.id, risk: r.risk, surv: r.surv, percentile: r.percentile, keypoints: r.keypoints, warnings: r.warnings, predicted } satisfies ScoreReply);
    } catch (error) {
      if (error instanceof FlaggedRadiograph) {
        port.postMessage({ type: 'flagged', id: job.id, flags: error.flags, reason: error.message, predicted } satisfies ScoreReply);
      } else if (error instanceof InputError) {
        port.postMessage({ type: 'failed', id: job.id, reason: error.message, predicted } satisfies ScoreReply);
      } else {
        port.postMessage({ type: 'error', id: job.id, message: (error as Error).message ?? String(error) } satisfies ScoreReply);
      }
    }
  });
}

main().catch((error: unknown) => {
  port.postMessage({ type: 'load-error', message: (error as Error).message ?? String(error) } satisfies ScoreReply);
});
