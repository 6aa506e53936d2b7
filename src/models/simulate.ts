/**
 * The simulated survival data of the DeepSurv paper (Katzman et al., BMC Med Res Methodol 2018):
 * 10 covariates uniform in [-1, 1], only x0 and x1 informative, exponential event times with a
 * proportional hazard h(t | x) = lambda0 * exp(r(x)) where
 *   linear:    r(x) = x0 + 2 x1
 *   gaussian:  r(x) = log(lambda_max) * exp(-(x0^2 + x1^2) / (2 * 0.5^2)),  lambda_max = 5
 * (lambda_max = 5 is the value the paper's text and experiment script give; on this generator it
 * makes the oracle C-index about 0.60, below the paper's reported 0.649, while lambda_max = 10 gives
 * about 0.65: bench/deepsurv reports both.)
 * r is centred on the sample mean (as the paper's generator does), the mean event time at r = 0 is 5,
 * and an "end of study" time is set at the quantile leaving `observedFraction` (default 0.5) of the
 * events observed; later times are censored there.
 */
import { Random } from '../util/random.js';
import type { SurvivalData } from './survival-data.js';

export type SimulationKind = 'linear' | 'gaussian';

export interface SimulationOptions {
  n: number;
  kind: SimulationKind;
  rng: Random;
  features?: number;
  lambdaMax?: number;
  radius?: number;
  meanTime?: number;
  observedFraction?: number;
}

export interface SimulatedSurvival extends SurvivalData {
  /** The true (centred) log hazard ratio of each row: the oracle score. */
  trueRisk: Float64Array;
  endTime: number;
}

export function trueLogHazard(kind: SimulationKind, x0: number, x1: number, lambdaMax = 5, radius = 0.5): number {
  if (kind === 'linear') return x0 + 2 * x1;
  return Math.log(lambdaMax) * Math.exp(-(x0 * x0 + x1 * x1) / (2 * radius * radius));
}

export function simulateDeepSurvData(options: SimulationOptions): SimulatedSurvival {
  const { n, kind, rng } = options;
  const p = options.features ?? 10;
  const meanTime = options.meanTime ?? 5;
  const observed = options.observedFraction ?? 0.5;
  if (p < 2) throw new RangeError('the simulation needs at least 2 covariates');
  const x = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) x[i] = rng.between(-1, 1);
  const risk = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    risk[i] = trueLogHazard(kind, x[i * p], x[i * p + 1], options.lambdaMax, options.radius);
    mean += risk[i] / n;
  }
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    risk[i] -= mean;
    time[i] = rng.exponential(1 / meanTime) / Math.exp(risk[i]);
  }
  const sorted = Float64Array.from(time).sort();
  const endTime = sorted[Math.min(n - 1, Math.floor(n * observed))];
  const event = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (time[i] < endTime) event[i] = 1;
    else time[i] = endTime;
  }
  return { x, n, p, time, event, trueRisk: risk, endTime };
}
