/**
 * A fitted DeepSurv model: the network, the covariate standardisation it was trained with and the
 * Breslow baseline hazard of its risk score, so that it gives both a risk (log hazard ratio) and a
 * survival curve for new rows.
 */
import { noGrad, scope, tensor, type Module } from '../../torch/index.js';
import { applyStandardization, type Standardization } from '../standardize.js';
import { survivalAt, type BaselineHazard } from '../../survival/risk-score-baseline.js';
import type { Architecture, DeepSurvConfig } from './config.js';
import type { EpochLog } from '../train-cox.js';

export interface TrainingRecord {
  seed: number;
  config: DeepSurvConfig;
  n: number;
  nevent: number;
  trainRows: number;
  validationRows: number;
  epochsRun: number;
  bestEpoch: number;
  bestValC: number | null;
  stoppedEarly: boolean;
  seconds: number;
  log: EpochLog[];
}

/** Rows per forward pass at prediction time: bounds memory on large inputs. */
const PREDICT_CHUNK = 8192;

/** The network's log hazard ratios for n rows of raw covariates (row-major n x p), in eval mode. */
export function networkRisk(network: Module, standardization: Standardization, x: Float64Array, n: number): Float64Array {
  const p = standardization.mean.length;
  if (x.length !== n * p) throw new RangeError(`expected ${n} x ${p} covariates, got ${x.length} values`);
  const z = applyStandardization(x, n, p, standardization);
  const out = new Float64Array(n);
  network.eval();
  for (let start = 0; start < n; start += PREDICT_CHUNK) {
    const m = Math.min(PREDICT_CHUNK, n - start);
    const chunk = noGrad(() =>
      scope(() => {
        const input = tensor(Float32Array.from(z.subarray(start * p, (start + m) * p)), [m, p]);
        return network.forward(input).toFloat64Array();
      }),
    );
    out.set(chunk, start);
  }
  return out;
}

export class DeepSurvModel {
  constructor(
    readonly network: Module,
    readonly covariates: string[],
    readonly architecture: Architecture,
    readonly standardization: Standardization,
    readonly baseline: BaselineHazard,
    readonly training: TrainingRecord | null,
    /** The network's output times this (model.json "risk_scale": a slope update at another site, `spinesurv validate --recalibrate slope`). */
    readonly riskScale = 1,
  ) {}

  /** Log hazard ratios for n rows of raw (unstandardised) covariates, row-major n x p. */
  predictRisk(x: Float64Array, n: number): Float64Array {
    const risk = networkRisk(this.network, this.standardization, x, n);
    if (this.riskScale !== 1) for (let i = 0; i < n; i++) risk[i] *= this.riskScale;
    return risk;
  }

  survival(risk: number, t: number): number {
    return survivalAt(this.baseline, risk, t);
  }

  dispose(): void {
    this.network.dispose();
  }
}
