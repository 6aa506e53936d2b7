/**
 * bench/deepsurv: CoxPH vs DeepSurv test C-index (Harrell) with percentile-bootstrap 95% CIs, the
 * paired difference, and training time, on the DeepSurv paper's simulations and on FLCHAIN / NWTCO.
 *   npm run bench:deepsurv [-- --only sim-linear,flchain] [--search N] [--seed S] [--boot B] [--no-timing] [--out FILE]
 * Then the speed/repeatability check (timing.ts): default DeepSurv on 1,500 x 7 rows, fitted twice.
 * Writes bench/deepsurv/results.json (or --out) and prints a table. Not part of the tests.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { setNumThreads } from '../../src/torch/index.js';
import { coxph, harrellC, bootstrapCi, compareConcordance, take } from '../../src/survival/index.js';
import { fitDeepSurv } from '../../src/models/deepsurv/fit.js';
import { searchDeepSurv } from '../../src/models/deepsurv/search.js';
import { covariateColumns } from '../../src/models/survival-data.js';
import type { DeepSurvConfig } from '../../src/models/deepsurv/config.js';
import { flchain, nwtco, simulation, type BenchDataset } from './datasets.js';
import { timingCheck } from './timing.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    search: { type: 'string' },
    seed: { type: 'string', default: '2026' },
    boot: { type: 'string', default: '1000' },
    threads: { type: 'string' },
    'no-timing': { type: 'boolean' },
    out: { type: 'string', default: fileURLToPath(new URL('../../../bench/deepsurv/results.json', import.meta.url)) },
  },
});
const seed = Number(values.seed);
const B = Number(values.boot);
if (values.threads) setNumThreads(Number(values.threads));

const builders: Record<string, () => BenchDataset> = {
  'sim-linear': () => simulation('linear', 0, seed),
  'sim-gaussian': () => simulation('gaussian', 10, seed),
  'sim-gaussian-l5': () => simulation('gaussian', 5, seed),
  flchain: () => flchain(seed),
  nwtco: () => nwtco(seed),
};
const names = values.only ? values.only.split(',') : Object.keys(builders);

function cIndexWithCi(test: BenchDataset['test'], risk: Float64Array, bootSeed: number) {
  const boot = bootstrapCi(test.n, (rows) => harrellC(take(test.time, rows), take(test.event, rows), take(risk, rows)).c, { B, random: bootSeed });
  return { c: boot.estimate, ci95: [boot.lower, boot.upper] as [number, number] };
}

const results: Record<string, unknown>[] = [];
for (const name of names) {
  const build = builders[name];
  if (!build) throw new Error(`unknown dataset ${name} (known: ${Object.keys(builders).join(', ')})`);
  const data = build();
  const { train, test } = data;
  process.stderr.write(`\n== ${name}: ${data.description}; train ${train.n}, test ${test.n}\n`);

  let t0 = performance.now();
  const cox = coxph({ time: train.time, event: train.event, covariates: covariateColumns(train), names: data.covariates, concordance: false });
  const coxSeconds = (performance.now() - t0) / 1000;
  const coxRisk = Float64Array.from({ length: test.n }, (_, i) => cox.coef.reduce((s, b, j) => s + b * test.x[i * test.p + j], 0));

  // Default settings (README); a --search replaces them with the best configuration found.
  let config: Partial<DeepSurvConfig> = {};
  let searchSeconds = 0;
  let search: unknown = null;
  if (values.search) {
    t0 = performance.now();
    const res = searchDeepSurv(train, { covariates: data.covariates, trials: Number(values.search), folds: 3, seed, base: config, onTrial: (t) => process.stderr.write(`  trial ${t.trial}: CV C ${t.meanC.toFixed(4)}\n`) });
    searchSeconds = (performance.now() - t0) / 1000;
    config = res.best.config;
    search = { trials: res.trials.length, best_trial: res.best.trial, best_cv_c: res.best.meanC, seconds: searchSeconds };
  }
  t0 = performance.now();
  const model = fitDeepSurv(train, { covariates: data.covariates, config, seed });
  const deepSeconds = (performance.now() - t0) / 1000;
  const deepRisk = model.predictRisk(test.x, test.n);
  const training = model.training!;
  model.dispose();

  const coxC = cIndexWithCi(test, coxRisk, seed + 1);
  const deepC = cIndexWithCi(test, deepRisk, seed + 1);
  const paired = compareConcordance(test.time, test.event, deepRisk, coxRisk, { B, random: seed + 2 });
  const oracle = data.trueTestRisk ? harrellC(test.time, test.event, data.trueTestRisk).c : null;
  const row = {
    dataset: name,
    description: data.description,
    n_train: train.n,
    n_test: test.n,
    covariates: data.covariates,
    coxph: { test_c: coxC.c, ci95: coxC.ci95, train_seconds: coxSeconds },
    deepsurv: {
      test_c: deepC.c,
      ci95: deepC.ci95,
      train_seconds: deepSeconds,
      epochs: training.epochsRun,
      best_epoch: training.bestEpoch,
      validation_c: training.bestValC,
      config: training.config,
      search,
    },
    difference: { deepsurv_minus_coxph: paired.difference, bootstrap_ci95: paired.bootstrap?.ci95, jackknife_ci95: paired.jackknife.ci95, p_jackknife: paired.jackknife.p },
    oracle_test_c: oracle,
  };
  results.push(row);
  process.stderr.write(
    `   CoxPH    C ${coxC.c.toFixed(4)} [${coxC.ci95.map((v) => v.toFixed(4)).join(', ')}] ${coxSeconds.toFixed(2)} s\n` +
      `   DeepSurv C ${deepC.c.toFixed(4)} [${deepC.ci95.map((v) => v.toFixed(4)).join(', ')}] ${deepSeconds.toFixed(2)} s (${training.epochsRun} epochs, kept ${training.bestEpoch})\n` +
      `   diff ${paired.difference.toFixed(4)}${oracle === null ? '' : `, oracle C ${oracle.toFixed(4)}`}\n`,
  );
}

const timing = values['no-timing'] ? null : timingCheck();
const out = { seed, bootstrap_B: B, generated_by: 'npm run bench:deepsurv', results, timing };
writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
console.log('| dataset | n train/test | CoxPH C [95% CI] | DeepSurv C [95% CI] | diff | oracle C | DeepSurv fit s |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results as any[]) {
  const f = (x: { test_c: number; ci95: number[] }) => `${x.test_c.toFixed(3)} [${x.ci95[0].toFixed(3)}, ${x.ci95[1].toFixed(3)}]`;
  console.log(`| ${r.dataset} | ${r.n_train}/${r.n_test} | ${f(r.coxph)} | ${f(r.deepsurv)} | ${r.difference.deepsurv_minus_coxph.toFixed(3)} | ${r.oracle_test_c === null ? '-' : r.oracle_test_c.toFixed(3)} | ${r.deepsurv.train_seconds.toFixed(1)} |`);
}
if (timing) console.log(`\ntiming: ${timing.rows} rows x ${timing.covariates} covariates, ${timing.epochs} epochs: ${timing.seconds.map((v) => v.toFixed(2)).join(' s, ')} s; same seed, identical weights: ${timing.identical_weights}`);
