/**
 * The image survival models of one subgroup, on the chosen variant: DeepSurv with the image and
 * clinical model 1, 2 or 3, and DeepSurv on the image alone, each fitted on the subgroup's training
 * rows and scoring its test rows; and the Grad-CAM gallery of the image + clinical model 3 over test
 * patients with and without a fracture.
 */
import { gradCam, fitImageDeepSurv, fuseImageModel, saveImageModel, trainImageMembersInProcesses, type ImageMembers, type ImageModel, type VariantFolder } from '../models/image/index.js';
import { log } from '../util/progress.js';
import { parallelJobs } from '../torch/compute-mode.js';
import type { Tensor } from '../torch/index.js';
import { tensor } from '../torch/index.js';
import { InputError } from '../util/errors.js';
import type { StudyConfig } from './config.js';
import type { SurvivalSet } from './design.js';
import type { FittedModel } from './fit-models.js';
import { modelKey } from './fit-models.js';
import { gradcamPicture, gradcamSelection, percentiles } from './gallery-tiles.js';
import { imageModelConfig, trainingRow } from './image-stages.js';
import type { ClinicalModel, GradcamGallery, Subgroup } from '../report/results.js';

/** The variant's images of the given rows, in their order. */
function imagesOf(folder: VariantFolder, set: SurvivalSet): Tensor {
  const rowOf = new Map(folder.index.rows.map((r, k) => [r.file_name, k]));
  const picked = set.rows.map((r) => {
    const k = rowOf.get(r.image!);
    if (k === undefined) throw new InputError(`cohort file line ${r.line}: not among the preprocessed radiographs of ${folder.dir}`);
    return k;
  });
  return folder.images.indexSelect(0, tensor(Int32Array.from(picked), [picked.length], { dtype: 'int64' }));
}

export interface FittedImageModel extends FittedModel {
  model: ImageModel;
}

/**
 * The cross-fitted ensemble's members for a subgroup's training rows (null when the study fits one
 * network per model: images.ensemble = 1).
 */
export async function trainStudyMembers(folder: VariantFolder, train: SurvivalSet, config: StudyConfig, seed: number, subgroup: Subgroup): Promise<ImageMembers | null> {
  const imageConfig = imageModelConfig(config, 0);
  if (imageConfig.ensemble < 2) return null;
  // On as many threads as the compute mode allows (one per core in the reproducible mode): the same members either way.
  return trainImageMembersInProcesses({
    variant: folder, rows: train.rows.map(trainingRow), config: imageConfig, seed,
    onEpoch: (e) => {
      if (e.epoch === imageConfig.training.epochs) log(`study: ${subgroup}: image member ${(e.member ?? 0) + 1}/${imageConfig.ensemble}: ${e.epoch} epochs, held-out C ${e.valC.toFixed(3)} (${e.seconds.toFixed(1)} s per epoch)`);
    },
  }, parallelJobs());
}

export function fitImageModel(
  folder: VariantFolder,
  train: SurvivalSet,
  test: SurvivalSet,
  clinicalModel: ClinicalModel | 0,
  subgroup: Subgroup,
  config: StudyConfig,
  /** The subgroup's ensemble members (trainStudyMembers), or the seed of a single network. */
  membersOrSeed: ImageMembers | number,
  keypointModel: string | undefined,
): FittedImageModel {
  const method = clinicalModel === 0 ? 'deepsurv_image_only' : 'deepsurv_image';
  const key = modelKey(method, clinicalModel === 0 ? null : clinicalModel, subgroup);
  const options = { variant: folder, rows: train.rows.map(trainingRow), config: imageModelConfig(config, clinicalModel) };
  const model = typeof membersOrSeed === 'number' ? fitImageDeepSurv({ ...options, seed: membersOrSeed }) : fuseImageModel(membersOrSeed, options);
  const score = (set: SurvivalSet): Float64Array => {
    const images = imagesOf(folder, set);
    try {
      return model.score(images, set.rows.map((r) => trainingRow(r).clinical));
    } finally {
      images.dispose();
    }
  };
  const trainRisk = score(train);
  const testRisk = score(test);
  const t = model.training;
  return {
    key,
    method,
    clinicalModel: clinicalModel === 0 ? null : clinicalModel,
    subgroup,
    covariates: ['image', ...model.covariates],
    trainRisk,
    testRisk,
    testSurvival: (time) => Float64Array.from(testRisk, (r) => model.survival(r, time)),
    notes: t ? [trainingNote(key, t)] : [],
    save: (dir) => saveImageModel(dir, model, { name: key, keypointModel, createdBy: 'spinesurv study' }),
    dispose: () => model.dispose(),
    model,
  };
}

/** Grad-CAM of `fitted` over the selected test patients, as gallery tiles and their PNG files. */
export async function gradcamGallery(
  fitted: FittedImageModel,
  folder: VariantFolder,
  test: SurvivalSet,
  perGroup: number,
  assets: Map<string, Buffer>,
): Promise<GradcamGallery> {
  const { rows, selection } = gradcamSelection(fitted.testRisk, test.event, perGroup);
  const pct = percentiles(fitted.testRisk);
  const rowOf = new Map(folder.index.rows.map((r, k) => [r.file_name, k]));
  const [, channels, size] = folder.images.shape;
  const tiles: GradcamGallery['tiles'] = [];
  for (const [n, i] of rows.entries()) {
    const row = test.rows[i];
    const k = rowOf.get(row.image!)!;
    const one = folder.images.narrow(0, k, 1);
    try {
      const cam = gradCam(fitted.model, one, trainingRow(row).clinical);
      // Channels (patches) side by side: the input and its map.
      const pixels = one.toBytes();
      const width = size * channels;
      const input = new Uint8Array(width * size);
      const map = new Float32Array(width * size);
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            input[y * width + c * size + x] = pixels[c * size * size + y * size + x];
            map[y * width + c * size + x] = cam.maps[c * size * size + y * size + x];
          }
        }
      }
      const file = `figures/gradcam/${fitted.key}-${n + 1}.png`;
      const picture = await gradcamPicture(input, width, size, map, width, size, { event: row.event, time: row.time, risk_percentile: pct[i] }, file);
      assets.set(file, picture.png);
      tiles.push(picture.tile);
    } finally {
      one.dispose();
    }
  }
  return { model: fitted.key, variant: String(folder.index.variant), selection, tiles };
}

/** One line on how the model trained: enough to tell a stable run from a lucky one. */
function trainingNote(key: string, t: NonNullable<ImageModel['training']>): string {
  const e = t.ensemble;
  if (e === undefined) {
    return `${key}: ${t.epochsRun} epochs${t.stoppedEarly ? `, stopped early at the best validation C-index (epoch ${t.bestEpoch})` : ''}${t.clinicalFallback ? '; the clinical-only Cox model was kept (the image did not beat it on validation)' : ''}`;
  }
  const w = e.fusion.fitted[0];
  return `${key}: ${e.members.length} cross-fitted members of ${t.epochsRun} epochs; held-out C of the members ${e.memberHeldOutC.mean.toFixed(3)} ± ${e.memberHeldOutC.sd.toFixed(3)} (SD); ` +
    `out-of-fold C of the image score ${e.imageOutOfFoldC.toFixed(3)}; fusion weight of the image ${w.toFixed(3)} (SE ${Number.isFinite(e.fusion.imageSe) ? e.fusion.imageSe.toFixed(3) : 'n/a'}), ` +
    `x ${e.fusion.imageFactor.toFixed(2)} for the mean of the members (their shared variance ${e.fusion.agreement.sharedVariance.toFixed(2)} of ${e.fusion.agreement.singleVariance.toFixed(2)})`;
}
