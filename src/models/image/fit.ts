/**
 * fitImageDeepSurv: trains an image DeepSurv model on a preprocessed variant and the cohort's
 * training rows (joined by the variant's file_name = cohort.csv `image`), then estimates the Breslow
 * baseline and the training risk distribution.
 *
 * config.ensemble >= 2 (the default): the cross-fitted ensemble (cross-fit.ts) in two steps that a
 * caller may also take apart: trainImageMembers once, then fuseImageModel for each clinical model on
 * the same rows (the study does this, so models 1-3 and image only share one set of members). The
 * baseline and the training risks come from the out-of-fold fused risk, which is what a new patient's
 * risk resembles (a member's risks on its own training rows are more spread).
 * config.ensemble = 1: one network of image and covariates, early-stopped, with the clinical fallback.
 */
import { manualSeed } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { fitStandardization, applyStandardization } from '../standardize.js';
import { breslowBaseline } from '../../survival/risk-score-baseline.js';
import { CLINICAL_COLUMNS, validateImageConfig, type ImageModelConfig } from './config.js';
import { clinicalMatrix, trainingRanges } from './clinical.js';
import { imagesAtSize } from './image-batch.js';
import { loadTorchvisionInit } from './init-weights.js';
import { ImageSurvNetwork } from './network.js';
import { networkRisks, trainImageNetwork, type ImageEpochLog } from './train.js';
import { assembleMembers, fuseMembers, memberTasks, trainMembers, trainOneMember, type MemberData, type TrainedMembers } from './cross-fit.js';
import type { MemberProcessJob } from './member-process.js';
import { runProcessJobs } from '../../util/process-jobs.js';
import type { Tensor } from '../../torch/index.js';
import { ImageModel, type EnsembleRecord } from './model.js';
import type { VariantFolder } from './variant-folder.js';
import { prepareRows, type ImageTrainingRow } from './training-rows.js';

export type { ImageTrainingRow } from './training-rows.js';

export interface FitImageOptions {
  variant: VariantFolder;
  rows: ImageTrainingRow[];
  config: ImageModelConfig;
  seed?: number;
  /** torchvision-layout safetensors to start the encoder from (a single network only). */
  init?: string;
  checkpoint?: string;
  resume?: boolean;
  onEpoch?(entry: ImageEpochLog): void;
}

export function fitImageDeepSurv(options: FitImageOptions): ImageModel {
  const config = validateImageConfig(options.config);
  if (config.ensemble >= 2) {
    if (options.init) throw new InputError('--init is for a single network (--ensemble 1)');
    const members = trainImageMembers(options);
    try {
      return fuseImageModel(members, options);
    } finally {
      members.dispose();
    }
  }
  return fitSingleNetwork(options, config);
}

/** Trained ensemble members for one set of training rows, ready to be fused for any clinical model. */
export interface ImageMembers {
  trained: TrainedMembers;
  /** The rows they were trained on (fuseImageModel checks it is given the same). */
  rowKey: string;
  config: ImageModelConfig;
  seed: number;
  seconds: number;
  dispose(): void;
}

function rowKeyOf(rows: ImageTrainingRow[]): string {
  return rows.map((r) => `${r.image}|${r.time}|${r.event}`).join('\n');
}

/** Step 1 of the ensemble: K image-only members cross-fitted on the rows (the clinical model does not matter here). */
export function trainImageMembers(options: FitImageOptions): ImageMembers {
  const started = performance.now();
  const { config, seed, data, dispose } = memberData(options);
  try {
    const trained = trainMembers(config, data, seed, options.onEpoch ? (member, e) => options.onEpoch!({ member, ...e }) : undefined,
      options.checkpoint ? { path: options.checkpoint, resume: options.resume ?? false } : undefined);
    return members(trained, options.rows, config, seed, started);
  } finally {
    dispose();
  }
}

/**
 * Step 1 in child processes, `slots` members at once (member-process.ts): the same members as
 * trainImageMembers, since each is a pure function of its task and the data.
 */
export async function trainImageMembersInProcesses(options: FitImageOptions, slots: number): Promise<ImageMembers> {
  const started = performance.now();
  const { config, seed, data, dispose } = memberData(options);
  try {
    const tasks = memberTasks(config, data.event, seed, options.checkpoint, options.resume);
    const jobs: MemberProcessJob[] = tasks.map((task) => ({ task, variantDir: options.variant.dir, rows: options.rows }));
    const outcomes = await runProcessJobs(jobs, slots, new URL('./member-process.js', import.meta.url), (job) => trainOneMember(job.task, data));
    for (const o of outcomes) for (const e of o.record.log) options.onEpoch?.({ member: o.member, ...e });
    return members(assembleMembers(tasks, outcomes, data.time, data.event), options.rows, config, seed, started);
  } finally {
    dispose();
  }
}

function memberData(options: FitImageOptions): { config: ImageModelConfig; seed: number; data: MemberData; dispose(): void } {
  const config = validateImageConfig(options.config);
  if (config.ensemble < 2) throw new RangeError('the ensemble members need config.ensemble >= 2');
  const { variant, rows } = options;
  const prepared = prepareRows(variant, rows);
  const images = imagesAtSize(variant.images, config.inputSize);
  return {
    config,
    seed: options.seed ?? 1,
    data: { channels: variant.index.channels, images, imageRow: prepared.imageRow, time: prepared.time, event: prepared.event },
    dispose: () => {
      if (images !== variant.images) images.dispose();
    },
  };
}

function members(trained: TrainedMembers, rows: ImageTrainingRow[], config: ImageModelConfig, seed: number, started: number): ImageMembers {
  return { trained, rowKey: rowKeyOf(rows), config, seed, seconds: (performance.now() - started) / 1000, dispose: () => trained.state.clear() };
}

/** Step 2 of the ensemble: the Cox fusion of the members' out-of-fold score with this clinical model's covariates. */
export function fuseImageModel(members: ImageMembers, options: FitImageOptions): ImageModel {
  const started = performance.now();
  const config = validateImageConfig({ ...options.config, ensemble: members.config.ensemble });
  const { variant, rows } = options;
  if (rowKeyOf(rows) !== members.rowKey) throw new RangeError('fuseImageModel: the rows differ from those the members were trained on');
  const prepared = prepareRows(variant, rows);
  const covariates = CLINICAL_COLUMNS[config.clinicalModel];
  const p = covariates.length;
  const raw = clinicalMatrix(rows.map((r) => r.clinical), covariates, (i) => rows[i].where);
  const standardization = fitStandardization(raw, rows.length, p);
  const z = p > 0 ? applyStandardization(raw, rows.length, p, standardization) : null;
  const { network, fusion } = fuseMembers(members.trained, config, variant.index.channels, z, p, prepared.time, prepared.event);
  // The out-of-fold fused risk (the fit as fitted, on one member's score): what the baseline hazard and
  // the percentiles are estimated on.
  const b = fusion.fitted;
  const oofRisk = Float64Array.from(members.trained.outOfFoldScore, (score, i) => {
    let r = b[0] * score;
    for (let j = 0; j < p; j++) r += b[j + 1] * z![i * p + j];
    return r;
  });
  const baseline = breslowBaseline(oofRisk, prepared.time, prepared.event);
  const heldOut = members.trained.members.map((m) => m.heldOutC);
  const mean = heldOut.reduce((a, c) => a + c, 0) / heldOut.length;
  const sd = Math.sqrt(heldOut.reduce((a, c) => a + (c - mean) ** 2, 0) / Math.max(1, heldOut.length - 1));
  const ensemble: EnsembleRecord = {
    members: members.trained.members.map(({ log: _log, ...m }) => m),
    memberHeldOutC: { mean, sd },
    imageOutOfFoldC: members.trained.outOfFoldC,
    fusion,
  };
  const epochs = config.training.epochs;
  return new ImageModel(
    network, config, covariates, standardization, baseline, Float64Array.from(oofRisk).sort(), trainingRanges(raw, rows.length, covariates),
    { variant: variant.index.variant, masks: variant.index.masks, channels: variant.index.channels, size: variant.index.size },
    variant.params,
    {
      seed: members.seed, n: rows.length, nevent: prepared.nevent, trainRows: rows.length, validationRows: rows.length,
      epochsRun: epochs, bestEpoch: epochs, bestValC: fusion.outOfFoldC, bestValLoss: NaN, clinicalFallback: false, stoppedEarly: false,
      resumedFromEpoch: 0, seconds: members.seconds + (performance.now() - started) / 1000, init: null,
      log: members.trained.members.flatMap((m) => m.log.map((e) => ({ member: m.member, ...e }))),
      ensemble,
    },
  );
}

function fitSingleNetwork(options: FitImageOptions, config: ImageModelConfig): ImageModel {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const { variant, rows } = options;
  const { imageRow, time, event, nevent } = prepareRows(variant, rows);
  const covariates = CLINICAL_COLUMNS[config.clinicalModel];
  const p = covariates.length;
  const raw = clinicalMatrix(rows.map((r) => r.clinical), covariates, (i) => rows[i].where);
  const standardization = fitStandardization(raw, rows.length, p);
  const z = p > 0 ? applyStandardization(raw, rows.length, p, standardization) : null;

  manualSeed(seed);
  const network = new ImageSurvNetwork(config, variant.index.channels, p);
  const images: Tensor = imagesAtSize(variant.images, config.inputSize);
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
