/**
 * The built-in radiograph scorer: an image DeepSurv model folder (kind deepsurv_image) with the
 * keypoint detector it carries. The chain is the one `spinesurv predict --image` runs: read the
 * radiograph, refuse one that cannot be a lateral lumbar radiograph (docs/input-checks.md), find
 * L1..L5 with the model's detector, refuse a flagged set, cut the model's input,
 * risk and survival at 1, 3 and 5 years.
 *
 * An archive holds radiographs, not clinical data, so `score` takes image-only models; a model that
 * fuses clinical covariates is refused by name (score such patients with `predict --data`, which reads
 * their covariates from a CSV).
 */
import { join } from 'node:path';
import { readRadiographBytes } from '../imaging/index.js';
import { loadLandmarkModel } from '../landmarks/index.js';
import { keypointModelPath, loadImageModel, parseImageModelJson, scoreRadiograph, type ImageModelJson } from '../models/image/index.js';
import { readModelJson } from '../models/model-json.js';
import { setNumThreads } from '../torch/index.js';
import { InputError } from '../util/errors.js';
import type { RadiographScorer, ScorerOptions } from './scorer.js';

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

export async function loadImageScorer(modelDir: string, options: ScorerOptions = {}): Promise<RadiographScorer> {
  const { json, detector: detectorDir } = checkImageModel(modelDir);
  if (options.threads !== undefined) setNumThreads(options.threads);
  const model = loadImageModel(modelDir, json);
  const detector = await loadLandmarkModel(detectorDir);
  return {
    async score(file, bytes) {
      const image = await readRadiographBytes(file, bytes);
      const r = await scoreRadiograph(model, file, detector, {}, { image, where: file });
      return { status: 'scored', risk: r.risk, surv: r.surv, flags: [], reason: null };
    },
    dispose() {
      model.dispose();
      (detector as { dispose?: () => void }).dispose?.();
    },
  };
}
