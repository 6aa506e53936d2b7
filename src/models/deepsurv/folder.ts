/**
 * DeepSurv model folders:
 *   DIR/model.json           {"kind": "deepsurv", "format_version": 1, covariates, architecture,
 *                             standardization, baseline {time, cumhaz}, weights, weights_sha256, training}
 *   DIR/weights.safetensors  the network's state dict (parameters and buffers)
 *   DIR/training-log.json    one entry per epoch (loss, validation loss and C-index, learning rate)
 * The folder is written under a temporary name and renamed, so a crash never leaves half a model.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../torch/index.js';
import { writeDirAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { readCheckedWeights, readModelJson } from '../model-json.js';
import { buildRiskHead } from './network.js';
import { DeepSurvModel, type TrainingRecord } from './model.js';
import { DEEPSURV_MODEL_WRITER, type Architecture } from './config.js';
import type { Standardization } from '../standardize.js';
import type { BaselineHazard } from '../../survival/risk-score-baseline.js';

export const DEEPSURV_KIND = 'deepsurv';
export const DEEPSURV_FORMAT_VERSION = 1;
const WEIGHTS = 'weights.safetensors';

export interface DeepSurvModelJson {
  kind: typeof DEEPSURV_KIND;
  format_version: number;
  covariates: string[];
  architecture: Architecture;
  standardization: Standardization;
  baseline: BaselineHazard;
  /** Set by a slope update at another site (`spinesurv validate --recalibrate slope`): risk = network output x risk_scale. */
  risk_scale?: number;
  weights: string;
  weights_sha256: string;
  training: Omit<TrainingRecord, 'log'> | null;
  /** Free-form provenance: data file and its columns, tool version. */
  provenance?: Record<string, unknown>;
}

export async function saveDeepSurvModel(dir: string, model: DeepSurvModel, provenance?: Record<string, unknown>, options: { force?: boolean } = {}): Promise<void> {
  await writeDirAtomic(dir, (tmp) => {
    // Hash the bytes as they are written rather than reading the file back.
    const weights = encodeSafetensors(model.network.stateDict(), { kind: DEEPSURV_KIND });
    writeFileSync(join(tmp, WEIGHTS), weights);
    const sha = createHash('sha256').update(weights).digest('hex');
    const { log, ...training } = model.training ?? { log: [] };
    const json: DeepSurvModelJson = {
      kind: DEEPSURV_KIND,
      format_version: DEEPSURV_FORMAT_VERSION,
      covariates: model.covariates,
      architecture: model.architecture,
      standardization: model.standardization,
      baseline: model.baseline,
      weights: WEIGHTS,
      weights_sha256: sha,
      training: model.training ? (training as Omit<TrainingRecord, 'log'>) : null,
      provenance,
    };
    writeFileSync(join(tmp, 'model.json'), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(join(tmp, 'training-log.json'), JSON.stringify(log) + '\n');
  }, { force: options.force, createdBy: DEEPSURV_MODEL_WRITER });
}

function check(cond: boolean, dir: string, what: string): asserts cond {
  if (!cond) throw new InputError(`${join(dir, 'model.json')}: ${what}`);
}

export function parseDeepSurvJson(dir: string, json: unknown): DeepSurvModelJson {
  const j = json as DeepSurvModelJson;
  check(typeof j === 'object' && j !== null && j.kind === DEEPSURV_KIND, dir, `not a DeepSurv model (kind ${String((j as { kind?: unknown })?.kind)})`);
  check(j.format_version === DEEPSURV_FORMAT_VERSION, dir, `format_version ${String(j.format_version)} is not supported (expected ${DEEPSURV_FORMAT_VERSION})`);
  check(Array.isArray(j.covariates) && j.covariates.every((c) => typeof c === 'string'), dir, '"covariates" must be a list of names');
  const a = j.architecture;
  check(typeof a === 'object' && a !== null && a.inFeatures === j.covariates.length, dir, '"architecture.inFeatures" must equal the number of covariates');
  check(Number.isInteger(a.layers) && Number.isInteger(a.width) && (a.activation === 'relu' || a.activation === 'selu'), dir, '"architecture" is malformed');
  const s = j.standardization;
  check(Array.isArray(s?.mean) && Array.isArray(s?.sd) && s.mean.length === j.covariates.length && s.sd.length === j.covariates.length, dir, '"standardization" must have one mean and sd per covariate');
  const b = j.baseline;
  check(Array.isArray(b?.time) && Array.isArray(b?.cumhaz) && b.time.length === b.cumhaz.length, dir, '"baseline" must have time and cumhaz of equal length');
  check(typeof j.weights === 'string', dir, '"weights" must name the safetensors file');
  check(j.risk_scale === undefined || (typeof j.risk_scale === 'number' && j.risk_scale > 0 && Number.isFinite(j.risk_scale)), dir, '"risk_scale" must be a positive number');
  return j;
}

export function loadDeepSurvModel(dir: string, json?: unknown): DeepSurvModel {
  const j = parseDeepSurvJson(dir, json ?? readModelJson(dir).json);
  const weightsPath = join(dir, j.weights);
  const bytes = readCheckedWeights(weightsPath, j.weights_sha256);
  const network = buildRiskHead(j.architecture);
  const state = decodeSafetensors(bytes, weightsPath).tensors; // the bytes already read for the checksum
  try {
    const expected = [...network.stateDict().keys()].sort();
    const got = [...state.keys()].sort();
    if (expected.join(',') !== got.join(',')) {
      throw new InputError(`${weightsPath}: tensors [${got.join(', ')}] do not match the architecture [${expected.join(', ')}]`);
    }
    network.loadStateDict(state);
  } finally {
    for (const t of state.values()) t.dispose();
  }
  network.eval();
  return new DeepSurvModel(network, j.covariates, j.architecture, j.standardization, j.baseline, null, j.risk_scale ?? 1);
}
