/**
 * Fits DeepSurv on survival data: standardise the covariates, seed the engine and the splits, build
 * the MLP, train it with the Cox loss (early stopping on a validation split), then estimate the
 * Breslow baseline of the final network on all training rows.
 */
import { manualSeed, tensor } from '../../torch/index.js';
import { Random } from '../../util/random.js';
import { InputError } from '../../util/errors.js';
import { applyStandardization, fitStandardization } from '../standardize.js';
import { breslowBaseline } from '../../survival/risk-score-baseline.js';
import { trainCoxNetwork, type EpochLog } from '../train-cox.js';
import { countEvents, type SurvivalData } from '../survival-data.js';
import { buildRiskHead } from './network.js';
import { validateConfig, DEFAULT_CONFIG, type Architecture, type DeepSurvConfig } from './config.js';
import { DeepSurvModel, networkRisk } from './model.js';

export interface FitOptions {
  covariates: string[];
  config?: Partial<DeepSurvConfig>;
  seed?: number;
  onEpoch?(entry: EpochLog): void;
}

export function fitDeepSurv(data: SurvivalData, options: FitOptions): DeepSurvModel {
  const started = performance.now();
  const config = validateConfig({ ...DEFAULT_CONFIG, ...options.config });
  const seed = options.seed ?? 1;
  if (options.covariates.length !== data.p) throw new RangeError(`${options.covariates.length} covariate names for ${data.p} columns`);
  const nevent = countEvents(data.event);
  if (nevent < 2) throw new InputError(`DeepSurv needs at least 2 events to learn from, the data have ${nevent}`);
  const standardization = fitStandardization(data.x, data.n, data.p);
  const z = applyStandardization(data.x, data.n, data.p, standardization);
  const architecture: Architecture = {
    inFeatures: data.p,
    layers: config.layers,
    width: config.width,
    activation: config.activation,
    dropout: config.dropout,
    batchNorm: config.batchNorm,
  };
  manualSeed(seed);
  const network = buildRiskHead(architecture);
  const p = data.p;
  const result = trainCoxNetwork({
    network,
    input: (rows) => {
      const block = new Float32Array(rows.length * p);
      for (let k = 0; k < rows.length; k++) for (let j = 0; j < p; j++) block[k * p + j] = z[rows[k] * p + j];
      return tensor(block, [rows.length, p]);
    },
    time: data.time,
    event: data.event,
    config,
    rng: new Random(seed),
    onEpoch: options.onEpoch,
  });
  const baseline = breslowBaseline(networkRisk(network, standardization, data.x, data.n), data.time, data.event);
  const training = {
    seed,
    config,
    n: data.n,
    nevent,
    trainRows: result.trainRows.length,
    validationRows: result.validationRows.length,
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    bestValC: result.bestValC,
    stoppedEarly: result.stoppedEarly,
    seconds: (performance.now() - started) / 1000,
    log: result.log,
  };
  return new DeepSurvModel(network, options.covariates, architecture, standardization, baseline, training);
}
