/**
 * The built-in radiograph scorer: an image DeepSurv model folder (kind deepsurv_image) with the
 * keypoint detector it carries, scored by the one scoring core (models/image/radiograph-scorer.ts) that
 * `predict --image` and `serve` use too: read the radiograph, refuse one that cannot be a lateral
 * lumbar radiograph (docs/input-checks.md), find L1..L5 with the model's detector, refuse a flagged
 * set, cut the model's input, risk and survival at 1, 3 and 5 years. The queue keeps the outcome's
 * status, risk, survival, flags and reason (scoreResultOf).
 *
 * An archive holds radiographs, not clinical data, so `score` takes image-only models; a model that
 * fuses clinical covariates is refused by name (score such patients with `predict --data`, which reads
 * their covariates from a CSV).
 */
import { join } from 'node:path';
import { keypointModelPath, parseImageModelJson, type ImageModelJson } from '../models/image/folder.js';
import { RadiographScorer } from '../models/image/radiograph-scorer.js';
import { readModelJson } from '../models/model-json.js';
import { InputError } from '../util/errors.js';
import { scoreResultOf, type QueueScorer, type ScorerOptions } from './queue-scorer.js';

/** Checks the folder without loading weights: an image model, image only, with its keypoint detector. */
export function checkImageModel(modelDir: string): { json: ImageModelJson; detector: string } {
  const where = join(modelDir, 'model.json');
  const json = parseImageModelJson(modelDir, readModelJson(modelDir).json);
  const detector = keypointModelPath(modelDir, json);
  if (detector === null) {
    throw new InputError(`${where}: the model has no keypoint detector (fitted without --landmarks); score finds the keypoints itself, so it needs one`);
  }
  const covariates = json.covariates;
  if (covariates.length > 0) {
    throw new InputError(`${where}: the model also needs clinical covariates (${covariates.join(', ')}); score reads radiographs only: use an image-only model (imagesurv fit --clinical 0), or predict --data for patients with their covariates`);
  }
  return { json, detector };
}

export async function loadImageScorer(modelDir: string, options: ScorerOptions = {}): Promise<QueueScorer> {
  const { json } = checkImageModel(modelDir);
  const core = await RadiographScorer.fromJson(modelDir, json, { threads: options.threads });
  return {
    async score(file, bytes) {
      return scoreResultOf(await core.score({ where: file, bytes }));
    },
    dispose() {
      core.dispose();
    },
  };
}
