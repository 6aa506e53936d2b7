/**
 * The speed and repeatability check: DeepSurv with the default settings on ~1,500 rows x 7
 * covariates (1,500 seeded-random complete rows of FLCHAIN, creatinine left out) must fit in under
 * 30 s here, and two fits with the same seed must give byte-identical weights.
 */
import { createHash } from 'node:crypto';
import { encodeSafetensors, getNumThreads } from '../../src/torch/index.js';
import { Random } from '../../src/util/random.js';
import { fitDeepSurv } from '../../src/models/deepsurv/fit.js';
import { countEvents, selectRows } from '../../src/models/survival-data.js';
import { flchain } from './datasets.js';

export interface TimingResult {
  rows: number;
  covariates: number;
  events: number;
  threads: number;
  seconds: number[];
  epochs: number;
  identical_weights: boolean;
  weights_sha256: string;
}

export function timingCheck(rows = 1500, seed = 1): TimingResult {
  const covariates = ['age', 'male', 'sample_yr', 'kappa', 'lambda', 'flc_grp', 'mgus'];
  const all = flchain(0, covariates).train;
  const pick = new Random(seed).permutation(all.n).slice(0, rows).sort();
  const data = selectRows(all, pick);
  const digests: string[] = [];
  const seconds: number[] = [];
  let epochs = 0;
  for (let k = 0; k < 2; k++) {
    const t0 = performance.now();
    const model = fitDeepSurv(data, { covariates, seed });
    seconds.push((performance.now() - t0) / 1000);
    digests.push(createHash('sha256').update(encodeSafetensors(model.network.stateDict())).digest('hex'));
    epochs = model.training!.epochsRun;
    process.stderr.write(`timing fit ${k + 1}: ${seconds[k].toFixed(2)} s, ${epochs} epochs, weights sha256 ${digests[k].slice(0, 16)}\n`);
    model.dispose();
  }
  return { rows: data.n, covariates: covariates.length, events: countEvents(data.event), threads: getNumThreads(), seconds, epochs, identical_weights: digests[0] === digests[1], weights_sha256: digests[0] };
}
