/**
 * The benchmark's datasets, each already split into train and test:
 *   sim-linear, sim-gaussian (lambda_max 10) and sim-gaussian-l5 (lambda_max 5, the paper's stated
 *   value): the DeepSurv paper's simulations, 5,000 train / 1,000 test, drawn independently;
 *   flchain and nwtco: R survival datasets (complete cases), a fixed seeded event-stratified 80/20 split.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../../src/util/random.js';
import { readCsv } from '../../src/util/csv.js';
import { simulateDeepSurvData } from '../../src/models/simulate.js';
import { loadSurvivalTable } from '../../src/models/tabular.js';
import { stratifiedSplit } from '../../src/models/splits.js';
import { selectRows, type SurvivalData } from '../../src/models/survival-data.js';

export interface BenchDataset {
  name: string;
  description: string;
  covariates: string[];
  train: SurvivalData;
  test: SurvivalData;
  /** C-index of the true risk on the test set (simulations only). */
  oracleTestC?: number;
  trueTestRisk?: Float64Array;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** R's datasets as exported by test/fixtures/survival/export.R. */
function dataFile(name: string): string {
  const path = join(repoRoot, 'test/fixtures/survival', name);
  if (!existsSync(path)) throw new Error(`${path}: not found (the R export in test/fixtures/survival makes it)`);
  return path;
}

export function simulation(kind: 'linear' | 'gaussian', lambdaMax: number, seed: number): BenchDataset {
  const rng = new Random(seed);
  const train = simulateDeepSurvData({ n: 5000, kind, rng: rng.fork(), lambdaMax });
  const test = simulateDeepSurvData({ n: 1000, kind, rng: rng.fork(), lambdaMax });
  const covariates = Array.from({ length: 10 }, (_, j) => `x${j}`);
  const name = kind === 'linear' ? 'sim-linear' : lambdaMax === 10 ? 'sim-gaussian' : `sim-gaussian-l${lambdaMax}`;
  const description =
    kind === 'linear' ? 'r(x) = x0 + 2 x1, 10 covariates U(-1,1), 50% censored' : `r(x) = log(${lambdaMax}) exp(-(x0^2+x1^2)/0.5), 10 covariates U(-1,1), 50% censored`;
  return { name, description, covariates, train, test, trueTestRisk: test.trueRisk };
}

function realData(name: string, file: string, time: string, event: string, covariates: string[], seed: number): BenchDataset {
  const path = dataFile(file);
  const { data, dropped } = loadSurvivalTable(readCsv(path), { time, event, covariates, dropMissing: true });
  const split = stratifiedSplit(data.event, 0.2, new Random(seed));
  return {
    name,
    description: `${file}: ${data.n} complete cases (${dropped} dropped), seeded 80/20 split stratified by event`,
    covariates,
    train: selectRows(data, split.first),
    test: selectRows(data, split.second),
  };
}

export const FLCHAIN_COVARIATES = ['age', 'male', 'sample_yr', 'kappa', 'lambda', 'flc_grp', 'creatinine', 'mgus'];

export function flchain(seed: number, covariates = FLCHAIN_COVARIATES): BenchDataset {
  return realData('flchain', 'flchain.csv', 'futime', 'death', covariates, seed);
}

export function nwtco(seed: number): BenchDataset {
  return realData('nwtco', 'nwtco.csv', 'edrel', 'rel', ['instit', 'histol', 'stage', 'age_months'], seed);
}
