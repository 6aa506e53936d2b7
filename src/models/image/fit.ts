/**
 * fitImageDeepSurv: trains an image DeepSurv model on a preprocessed variant and the cohort's
 * training rows (joined by the variant's file_name = cohort.csv `image`), then estimates the Breslow
 * baseline and the training risk distribution of the final network on all those rows.
 */
import { manualSeed } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { fitStandardization, applyStandardization } from '../standardize.js';
import { breslowBaseline } from '../breslow.js';
import { countEvents } from '../survival-data.js';
import { CLINICAL_COLUMNS, validateImageConfig, type ImageModelConfig } from './config.js';
import { clinicalMatrix, trainingRanges, type ClinicalValues } from './clinical.js';
import { imagesAtSize } from './image-batch.js';
import { loadTorchvisionInit } from './init-weights.js';
import { ImageSurvNetwork } from './network.js';
import { networkRisks, trainImageNetwork, type ImageEpochLog } from './train.js';
import { ImageModel } from './model.js';
import type { VariantFolder } from './variant-folder.js';

export interface ImageTrainingRow {
  /** cohort.csv `image` value, matched to the variant's index.json file_name. */
  image: string;
  time: number;
  event: 0 | 1;
  clinical: ClinicalValues;
  /** Names the row in error messages (e.g. "cohort.csv line 12"), never a patient id. */
  where: string;
}

export interface FitImageOptions {
  variant: VariantFolder;
  rows: ImageTrainingRow[];
  config: ImageModelConfig;
  seed?: number;
  /** torchvision-layout safetensors to start the encoder from. */
  init?: string;
  checkpoint?: string;
  resume?: boolean;
  onEpoch?(entry: ImageEpochLog): void;
}

export function fitImageDeepSurv(options: FitImageOptions): ImageModel {
  const started = performance.now();
  const config = validateImageConfig(options.config);
  const seed = options.seed ?? 1;
  const { variant, rows } = options;
  const byFile = new Map(variant.index.rows.map((r, i) => [r.file_name, i]));
  const imageRow = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const k = byFile.get(r.image);
    if (k === undefined) throw new InputError(`${r.where}: image "${r.image}" is not in ${variant.dir}/index.json (left out by preprocessing?)`);
    imageRow[i] = k;
  });
  const time = Float64Array.from(rows, (r) => r.time);
  const event = Uint8Array.from(rows, (r) => r.event);
  const nevent = countEvents(event);
  if (nevent < 4) throw new InputError(`the training rows have ${nevent} events; an image model needs more to learn and validate`);
  const covariates = CLINICAL_COLUMNS[config.clinicalModel];
  const p = covariates.length;
  const raw = clinicalMatrix(rows.map((r) => r.clinical), covariates, (i) => rows[i].where);
  const standardization = fitStandardization(raw, rows.length, p);
  const z = p > 0 ? applyStandardization(raw, rows.length, p, standardization) : null;

  manualSeed(seed);
  const network = new ImageSurvNetwork(config, variant.index.channels, p);
  const images = imagesAtSize(variant.images, config.inputSize);
  try {
    if (options.init) loadTorchvisionInit(network.encoder, options.init);
    const result = trainImageNetwork({
      network, images, imageRow, clinical: z, time, event, config: config.training, seed,
      checkpoint: options.checkpoint, resume: options.resume, onEpoch: options.onEpoch,
    });
    const all = Int32Array.from({ length: rows.length }, (_, i) => i);
    const risk = networkRisks(network, images, imageRow, z, all);
    const baseline = breslowBaseline(risk, time, event);
    return new ImageModel(
      network, config, covariates, standardization, baseline, Float64Array.from(risk).sort(), trainingRanges(raw, rows.length, covariates),
      { variant: variant.index.variant, masks: variant.index.masks, channels: variant.index.channels, size: variant.index.size },
      variant.params,
      {
        seed, n: rows.length, nevent, trainRows: result.trainRows.length, validationRows: result.validationRows.length,
        epochsRun: result.epochsRun, bestEpoch: result.bestEpoch, bestValC: result.bestValC,
        bestValLoss: result.bestValLoss, clinicalFallback: result.clinicalFallback, stoppedEarly: result.stoppedEarly,
        resumedFromEpoch: result.resumedFromEpoch, seconds: (performance.now() - started) / 1000, init: options.init ?? null, log: result.log,
      },
    );
  } catch (error) {
    network.dispose();
    throw error;
  } finally {
    if (images !== variant.images) images.dispose();
  }
}
