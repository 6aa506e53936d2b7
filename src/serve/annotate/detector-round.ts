/**
 * One round of the detector in the loop, run in a child process of `spinesurv annotate` (so training
 * never stalls the page, and a crash or kill of it costs the annotator nothing): optionally retrain
 * from the last model on the accepted annotations, judge it on the held-out share of them (OKS-AP and
 * MRE in mm, src/landmarks/evaluate.ts), and propose points for the whole worklist.
 *
 * Run as `node detector-round.js ROUND.json`; ROUND.json is a DetectorRoundJob. Writes
 * OUT/proposals.json (a COCO results list, image_id = position in `predict` + 1), OUT/summary.json
 * and, when it trained, OUT/model/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/atomic-write.js';

export interface DetectorRoundJob {
  cohortDir: string;
  keypointsPath: string;
  /** The folder this round writes. */
  out: string;
  /** The model to start from (and to predict with when there is no training). */
  model: string | null;
  train: { imageIds: number[]; heldOutIds: number[]; epochs: number | null; inputSize: number | null; seed: number } | null;
  /** Image paths to propose points for, in worklist order. */
  predict: string[];
}

export interface DetectorRoundSummary {
  model: string;
  images_learnt: number | null;
  held_out: { images: number; ap: number; mre_mm: number } | null;
  proposals: string;
  unreadable: number;
}

async function run(job: DetectorRoundJob): Promise<DetectorRoundSummary> {
  const { trainLandmarkModel } = await import('../../landmarks/train.js');
  const { loadLandmarkModel } = await import('../../landmarks/model.js');
  const { predictFiles } = await import('../../landmarks/predict-files.js');
  const { evaluateKeypoints } = await import('../../landmarks/evaluate.js');
  const { readTruthFile, detectorTruth } = await import('../../landmarks/coco.js');
  const { cohortImages } = await import('../../landmarks/dataset.js');
  let modelDir = job.model;
  let learnt: number | null = null;
  let heldOut: DetectorRoundSummary['held_out'] = null;
  if (job.train !== null) {
    modelDir = join(job.out, 'model');
    const init = job.model === null ? undefined : join(job.model, 'weights.safetensors');
    // The accepted training-split radiographs (the file lists only what has been done so far).
    const wanted = new Set(job.train.imageIds);
    const images = cohortImages(job.cohortDir, 'train', readTruthFile(job.keypointsPath), true).filter((im) => wanted.has(im.imageId));
    const r = await trainLandmarkModel({
      cohortDir: job.cohortDir, out: modelDir, keypointsPath: job.keypointsPath, images, init, force: true,
      epochs: job.train.epochs ?? undefined, inputSize: job.train.inputSize ?? undefined, seed: job.train.seed, onLog: (l) => process.stderr.write(`${l}\n`),
    });
    learnt = r.model.training.images as number;
  }
  if (modelDir === null) throw new Error('no model to predict with');
  const model = await loadLandmarkModel(modelDir);
  try {
    if (job.train !== null && job.train.heldOutIds.length > 0) {
      const truthFile = readTruthFile(job.keypointsPath);
      const truth = job.train.heldOutIds.map((id) => detectorTruth(truthFile, id));
      const items = truth.map((t) => ({ imageId: t.imageId, fileName: t.fileName, path: join(job.cohortDir, t.fileName) }));
      const { results } = await predictFiles(model, items, { skipUnreadable: true });
      const spacing = new Map(truth.map((t) => [t.imageId, t.pixelSpacing ?? [1, 1]] as [number, [number, number]]));
      const e = evaluateKeypoints(
        results.map((r) => ({ imageId: r.image_id, keypoints: r.keypoints, score: r.score })),
        truth.map((t) => ({ imageId: t.imageId, keypoints: t.keypoints, area: t.area })), spacing,
      );
      heldOut = { images: truth.length, ap: e.ap, mre_mm: e.mre_mm };
    }
    const items = job.predict.map((path, i) => ({ imageId: i + 1, fileName: path, path }));
    const { results, failures } = await predictFiles(model, items, { skipUnreadable: true });
    const proposals = join(job.out, 'proposals.json');
    writeJsonAtomic(proposals, results);
    return { model: modelDir, images_learnt: learnt, held_out: heldOut, proposals, unreadable: failures.length };
  } finally {
    model.dispose();
  }
}

const jobPath = process.argv[2];
if (jobPath !== undefined && process.argv[1]?.endsWith('detector-round.js')) {
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as DetectorRoundJob;
  run(job).then(
    (summary) => writeJsonAtomic(join(job.out, 'summary.json'), summary),
    (error: unknown) => {
      process.stderr.write(`detector round: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
