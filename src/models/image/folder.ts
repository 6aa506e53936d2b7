/**
 * Image DeepSurv model folders, self-contained so that `spinesurv predict` and a DICOM server can
 * score a new radiograph with nothing else:
 *   DIR/model.json            {"kind": "deepsurv_image", "format_version", config (encoder, pooling,
 *                             input size, head, training), covariates, standardization, input (variant,
 *                             channels, size), preprocessing (the PreprocessParams the variant was made
 *                             with; predict re-applies them), baseline {time, cumhaz}, training_risks
 *                             (ascending, for percentiles), training_ranges, keypoint_model, weights,
 *                             weights_sha256, training}
 *   DIR/weights.safetensors   the network's state dict (encoder.* in torchvision names, head.*)
 *   DIR/training-log.json     one entry per epoch
 *   DIR/keypoint-model/       a copy of the keypoint detector (`landmarks train` folder) that finds
 *                             L1..L5 on a new radiograph (when the model was fitted with one)
 * Format 1 (interim patch cutter, before `spinesurv preprocess` existed) is refused as older.
 * Format 2 (before the clinical fallback, network.ts) is read as config.clinicalFallback = false (its
 * architecture) and training.minEpochs = 0.
 * Format 4 adds config.ensemble: K >= 2 is the cross-fitted ensemble (ensemble-network.ts: member0.*
 * ... member{K-1}.* and fusion.weight in weights.safetensors); formats 2 and 3 are read as ensemble 1.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../torch/index.js';
import { writeDirAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { readCheckedWeights, readModelJson } from '../model-json.js';
import { MODEL_KIND as LANDMARKS_KIND } from '../../landmarks/model.js';
import type { Standardization } from '../standardize.js';
import type { BaselineHazard } from '../../survival/risk-score-baseline.js';
import { validateImageConfig, type ImageModelConfig } from './config.js';
import type { TrainingRanges } from './clinical.js';
import { ImageSurvNetwork, type RiskNetwork } from './network.js';
import { EnsembleSurvNetwork } from './ensemble-network.js';
import { ImageModel, type ImageInputSpec, type ImageTrainingRecord } from './model.js';
import { checkPreprocessParams } from './variant-folder.js';
import type { PreprocessParams } from '../../preprocess/index.js';

export const IMAGE_MODEL_KIND = 'deepsurv_image';
export const IMAGE_MODEL_FORMAT_VERSION = 4;
/** The oldest format this version reads: 2 has no clinical fallback (no clinical.* tensors). */
const OLDEST_READABLE_FORMAT = 2;
const WEIGHTS = 'weights.safetensors';
const KEYPOINT_MODEL = 'keypoint-model';

export interface ImageModelJson {
  kind: typeof IMAGE_MODEL_KIND;
  format_version: number;
  name: string;
  mode: 'image+clinical' | 'image-only';
  config: ImageModelConfig;
  covariates: string[];
  standardization: Standardization;
  input: ImageInputSpec;
  preprocessing: PreprocessParams;
  baseline: BaselineHazard;
  training_risks: number[];
  /** Set by a slope update at another site (`spinesurv validate --recalibrate slope`): risk = network output x risk_scale; training_risks stay unscaled. */
  risk_scale?: number;
  training_ranges: TrainingRanges;
  keypoint_model: { folder: string; source: string } | null;
  weights: string;
  weights_sha256: string;
  training: Omit<ImageTrainingRecord, 'log'> | null;
  provenance?: Record<string, unknown>;
}

export async function saveImageModel(
  dir: string,
  model: ImageModel,
  options: { name?: string; keypointModel?: string; provenance?: Record<string, unknown>; force?: boolean; createdBy?: string } = {},
): Promise<void> {
  if (options.keypointModel !== undefined) checkKeypointModelFolder(options.keypointModel);
  await writeDirAtomic(dir, (tmp) => {
    const weights = encodeSafetensors(model.network.stateDict(), { kind: IMAGE_MODEL_KIND });
    writeFileSync(join(tmp, WEIGHTS), weights);
    let keypointModel: ImageModelJson['keypoint_model'] = null;
    if (options.keypointModel !== undefined) {
      const target = join(tmp, KEYPOINT_MODEL);
      // Only the detector's own files: a training folder may hold checkpoints and logs beside them.
      mkdirSync(target);
      for (const file of KEYPOINT_MODEL_FILES) cpSync(join(options.keypointModel, file), join(target, file));
      keypointModel = { folder: KEYPOINT_MODEL, source: options.keypointModel };
    }
    const { log, ...training } = model.training ?? { log: [] };
    const json: ImageModelJson = {
      kind: IMAGE_MODEL_KIND,
      format_version: IMAGE_MODEL_FORMAT_VERSION,
      name: options.name ?? `deepsurv_image_${model.mode === 'image-only' ? 'only' : `clinical${model.config.clinicalModel}`}`,
      mode: model.mode,
      config: model.config,
      covariates: model.covariates,
      standardization: model.standardization,
      input: model.input,
      preprocessing: model.preprocessing,
      baseline: model.baseline,
      training_risks: Array.from(model.trainingRisks),
      training_ranges: model.ranges,
      keypoint_model: keypointModel,
      weights: WEIGHTS,
      weights_sha256: createHash('sha256').update(weights).digest('hex'),
      training: model.training ? (training as Omit<ImageTrainingRecord, 'log'>) : null,
      provenance: options.provenance,
    };
    writeFileSync(join(tmp, 'model.json'), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(join(tmp, 'training-log.json'), JSON.stringify(log) + '\n');
  }, { force: options.force, createdBy: options.createdBy });
}

/** The files of a `landmarks train` model folder that `loadLandmarkModel` reads. */
const KEYPOINT_MODEL_FILES = ['model.json', 'weights.safetensors'];

/** Refuses (InputError naming it) a --landmarks path that is not a keypoint detector folder. */
export function checkKeypointModelFolder(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: keypoint model folder not found`);
  for (const file of KEYPOINT_MODEL_FILES) {
    if (!existsSync(join(dir, file))) throw new InputError(`${join(dir, file)}: missing (not a \`spinesurv landmarks train\` model folder)`);
  }
  let kind: unknown;
  try {
    kind = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { kind?: unknown }).kind;
  } catch (error) {
    throw new InputError(`${join(dir, 'model.json')}: cannot be read as JSON (${(error as Error).message})`);
  }
  if (kind !== LANDMARKS_KIND) throw new InputError(`${join(dir, 'model.json')}: not a keypoint detector (kind ${JSON.stringify(kind)}, expected "${LANDMARKS_KIND}")`);
}

export function parseImageModelJson(dir: string, json: unknown): ImageModelJson {
  const path = join(dir, 'model.json');
  const j = json as ImageModelJson;
  const check = (cond: boolean, what: string): void => {
    if (!cond) throw new InputError(`${path}: ${what}`);
  };
  check(typeof j === 'object' && j !== null && j.kind === IMAGE_MODEL_KIND, `not an image model (kind ${String((j as { kind?: unknown })?.kind)})`);
  if (!(Number.isInteger(j.format_version) && j.format_version >= OLDEST_READABLE_FORMAT && j.format_version <= IMAGE_MODEL_FORMAT_VERSION)) {
    throw new InputError(`${path}: model format_version ${String(j.format_version)} was written by ${Number(j.format_version) < IMAGE_MODEL_FORMAT_VERSION ? 'an older' : 'a newer'} spinesurv; this version reads ${OLDEST_READABLE_FORMAT} to ${IMAGE_MODEL_FORMAT_VERSION} (refit the model or use the matching spinesurv)`);
  }
  if (j.format_version === 2 && typeof j.config === 'object' && j.config !== null) {
    // Format 2 predates the clinical fallback (no clinical.* tensors) and training.minEpochs.
    j.config = { ...j.config, clinicalFallback: false, training: { ...j.config.training, minEpochs: 0 } };
  }
  if (j.format_version <= 3 && typeof j.config === 'object' && j.config !== null) {
    // Formats 2 and 3 predate the cross-fitted ensemble: one network.
    j.config = { ...j.config, ensemble: 1 };
  }
  check(Array.isArray(j.covariates) && j.covariates.every((c) => typeof c === 'string'), '"covariates" must be a list of names');
  check(Array.isArray(j.standardization?.mean) && j.standardization.mean.length === j.covariates.length, '"standardization" must have one mean and sd per covariate');
  check(Array.isArray(j.baseline?.time) && Array.isArray(j.baseline?.cumhaz) && j.baseline.time.length === j.baseline.cumhaz.length, '"baseline" must have time and cumhaz of equal length');
  check(Array.isArray(j.training_risks) && j.training_risks.length > 0, '"training_risks" must be a non-empty list');
  check(j.risk_scale === undefined || (typeof j.risk_scale === 'number' && j.risk_scale > 0 && Number.isFinite(j.risk_scale)), '"risk_scale" must be a positive number');
  check(typeof j.input === 'object' && j.input !== null && (j.input.channels === 1 || j.input.channels === 5) && Number.isInteger(j.input.size), '"input" must give channels (1 or 5) and size');
  checkPreprocessParams(path, j.preprocessing);
  check(j.preprocessing.variant === j.input.variant && j.preprocessing.masks === j.input.masks, '"preprocessing" and "input" name different variants');
  check(j.keypoint_model === null || (typeof j.keypoint_model?.folder === 'string' && !j.keypoint_model.folder.includes('..')), '"keypoint_model" must be null or {"folder"} inside the model folder');
  try {
    validateImageConfig(j.config);
  } catch (error) {
    throw new InputError(`${path}: "config" is invalid: ${(error as Error).message}`);
  }
  return j;
}

export function loadImageModel(dir: string, json?: unknown): ImageModel {
  const j = parseImageModelJson(dir, json ?? readModelJson(dir).json);
  const weightsPath = join(dir, j.weights);
  const bytes = readCheckedWeights(weightsPath, j.weights_sha256);
  const network: RiskNetwork = j.config.ensemble >= 2
    ? new EnsembleSurvNetwork(j.config, j.input.channels, j.covariates.length, j.config.ensemble)
    : new ImageSurvNetwork(j.config, j.input.channels, j.covariates.length);
  const state = decodeSafetensors(bytes, weightsPath).tensors;
  try {
    const expected = [...network.stateDict().keys()].sort().join(',');
    if ([...state.keys()].sort().join(',') !== expected) throw new InputError(`${weightsPath}: tensors do not match the architecture in model.json`);
    network.loadStateDict(state);
  } catch (error) {
    network.dispose();
    throw error;
  } finally {
    for (const t of state.values()) t.dispose();
  }
  network.eval();
  const scale = j.risk_scale ?? 1;
  return new ImageModel(network, j.config, j.covariates, j.standardization, j.baseline, Float64Array.from(j.training_risks, (r) => r * scale),
    j.training_ranges ?? {}, j.input, j.preprocessing, null, scale);
}

/** The keypoint model folder inside an image model folder, or null when it was saved without one. */
export function keypointModelPath(dir: string, json: ImageModelJson): string | null {
  return json.keypoint_model === null ? null : join(dir, json.keypoint_model.folder);
}
