/**
 * Random hyperparameter search with k-fold cross-validation on the training rows (seeded): each trial
 * draws a configuration, fits DeepSurv on k-1 folds (with its own early-stopping split inside them)
 * and scores Harrell's C on the held-out fold; the trial with the best mean C wins. The test set is
 * never seen. Folds are event-stratified and shared by all trials so that trials compare fairly.
 */
import { Random } from '../../util/random.js';
import { harrellC } from '../../survival/index.js';
import { mean, sd } from '../../stats/descriptive.js';
import { complement, stratifiedFolds } from '../splits.js';
import { selectRows, type SurvivalData } from '../survival-data.js';
import { validateConfig, DEFAULT_CONFIG, type DeepSurvConfig } from './config.js';
import { fitDeepSurv } from './fit.js';

/** Where each searched hyperparameter is drawn from. Log-uniform ranges for scale parameters. */
export interface SearchSpace {
  layers: number[];
  width: number[];
  activation: DeepSurvConfig['activation'][];
  dropout: [number, number];
  batchNorm: boolean[];
  l2: [number, number];
  learningRate: [number, number];
  lrDecay: [number, number];
}

export const DEFAULT_SEARCH_SPACE: SearchSpace = {
  layers: [1, 2, 3],
  width: [8, 16, 32, 64],
  activation: ['relu', 'selu'],
  dropout: [0, 0.5],
  batchNorm: [false, true],
  l2: [1e-5, 1e-2],
  learningRate: [3e-4, 1e-2],
  lrDecay: [1e-4, 1e-2],
};

const logUniform = (rng: Random, [lo, hi]: [number, number]): number => Math.exp(rng.between(Math.log(lo), Math.log(hi)));
const choose = <T>(rng: Random, items: T[]): T => items[rng.int(items.length)];

export function drawConfig(rng: Random, base: DeepSurvConfig, space: SearchSpace = DEFAULT_SEARCH_SPACE): DeepSurvConfig {
  return validateConfig({
    ...base,
    layers: choose(rng, space.layers),
    width: choose(rng, space.width),
    activation: choose(rng, space.activation),
    dropout: rng.between(space.dropout[0], space.dropout[1]),
    batchNorm: choose(rng, space.batchNorm),
    l2: logUniform(rng, space.l2),
    learningRate: logUniform(rng, space.learningRate),
    lrDecay: logUniform(rng, space.lrDecay),
  });
}

export interface TrialResult {
  trial: number;
  config: DeepSurvConfig;
  foldC: number[];
  meanC: number;
  sdC: number;
  seconds: number;
}

export interface SearchResult {
  trials: TrialResult[];
  best: TrialResult;
  folds: number;
  seed: number;
}

export interface SearchOptions {
  covariates: string[];
  trials: number;
  folds?: number;
  seed?: number;
  base?: Partial<DeepSurvConfig>;
  space?: SearchSpace;
  onTrial?(result: TrialResult): void;
}

export function searchDeepSurv(data: SurvivalData, options: SearchOptions): SearchResult {
  const seed = options.seed ?? 1;
  const k = options.folds ?? 3;
  if (!Number.isInteger(options.trials) || options.trials < 1) throw new RangeError(`trials must be an integer >= 1, got ${options.trials}`);
  const rng = new Random(seed);
  const folds = stratifiedFolds(data.event, k, rng.fork());
  const drawRng = rng.fork();
  const base = validateConfig({ ...DEFAULT_CONFIG, ...options.base });
  const trials: TrialResult[] = [];
  for (let t = 0; t < options.trials; t++) {
    const started = performance.now();
    const config = drawConfig(drawRng, base, options.space);
    const trialSeed = drawRng.nextUint32();
    const foldC: number[] = [];
    for (let f = 0; f < k; f++) {
      const held = folds[f];
      const model = fitDeepSurv(selectRows(data, complement(data.n, held)), { covariates: options.covariates, config, seed: trialSeed + f });
      try {
        const test = selectRows(data, held);
        foldC.push(harrellC(test.time, test.event, model.predictRisk(test.x, test.n)).c);
      } finally {
        model.dispose();
      }
    }
    const result: TrialResult = { trial: t + 1, config, foldC, meanC: mean(foldC), sdC: sd(foldC), seconds: (performance.now() - started) / 1000 };
    trials.push(result);
    options.onTrial?.(result);
  }
  const best = trials.reduce((a, b) => (b.meanC > a.meanC ? b : a));
  return { trials, best, folds: k, seed };
}
