/**
 * DeepSurv's hyperparameters: the network's shape and how it is trained. Defaults are a small,
 * regularised network that trains in seconds on a few thousand rows; `validateConfig` names the
 * offending field so that a bad --flag or search space fails with a clear reason.
 */
import type { Ties } from '../cox-loss.js';

export type Activation = 'relu' | 'selu';
export type OptimizerKind = 'adam' | 'sgd';

export interface Architecture {
  inFeatures: number;
  /** Number of hidden layers (0 = a linear Cox model). */
  layers: number;
  /** Units per hidden layer. */
  width: number;
  activation: Activation;
  /** Dropout probability after each hidden activation (0 = none). */
  dropout: number;
  batchNorm: boolean;
}

export interface TrainingConfig {
  optimizer: OptimizerKind;
  learningRate: number;
  /** SGD only: Nesterov momentum (0 = plain SGD). */
  momentum: number;
  /** Inverse-time decay as in DeepSurv: lr_epoch = lr / (1 + lrDecay * epoch). */
  lrDecay: number;
  /** Penalty l2 * (sum of squared weights of the Linear layers), added to the loss (biases are not penalised). */
  l2: number;
  /** Maximum number of epochs. */
  epochs: number;
  /** Rows per minibatch; 0 = full batch. */
  batchSize: number;
  /** Fraction of the training rows held out (event-stratified) for early stopping by C-index; 0 = none. */
  validationFraction: number;
  /** Stop after this many epochs without a better validation C-index. */
  patience: number;
  ties: Ties;
}

export type DeepSurvConfig = Omit<Architecture, 'inFeatures'> & TrainingConfig;

export const DEFAULT_CONFIG: DeepSurvConfig = {
  layers: 2,
  width: 32,
  activation: 'selu',
  dropout: 0.1,
  batchNorm: false,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  lrDecay: 1e-3,
  l2: 1e-4,
  epochs: 500,
  batchSize: 0,
  validationFraction: 0.2,
  patience: 50,
  ties: 'efron',
};

export function validateConfig(c: DeepSurvConfig): DeepSurvConfig {
  const bad = (field: string, why: string): never => {
    throw new RangeError(`deepsurv: ${field} ${why}`);
  };
  const integer = (field: keyof DeepSurvConfig, min: number): void => {
    const v = c[field] as number;
    if (!Number.isInteger(v) || v < min) bad(field, `must be an integer >= ${min}, got ${v}`);
  };
  const inRange = (field: keyof DeepSurvConfig, lo: number, hi: number, hiOpen = true): void => {
    const v = c[field] as number;
    if (!Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) bad(field, `must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  };
  integer('layers', 0);
  integer('width', 1);
  integer('epochs', 1);
  integer('batchSize', 0);
  integer('patience', 1);
  inRange('dropout', 0, 1);
  inRange('momentum', 0, 1);
  inRange('validationFraction', 0, 0.9, false);
  if (!(c.learningRate > 0) || !Number.isFinite(c.learningRate)) bad('learningRate', `must be > 0, got ${c.learningRate}`);
  if (!(c.lrDecay >= 0)) bad('lrDecay', `must be >= 0, got ${c.lrDecay}`);
  if (!(c.l2 >= 0)) bad('l2', `must be >= 0, got ${c.l2}`);
  if (c.activation !== 'relu' && c.activation !== 'selu') bad('activation', `must be relu or selu, got ${String(c.activation)}`);
  if (c.optimizer !== 'adam' && c.optimizer !== 'sgd') bad('optimizer', `must be adam or sgd, got ${String(c.optimizer)}`);
  if (c.ties !== 'efron' && c.ties !== 'breslow') bad('ties', `must be efron or breslow, got ${String(c.ties)}`);
  return c;
}

/** Who a DeepSurv model folder's ownership marker names; `deepsurv fit/search --out` replace only folders it wrote. */
export const DEEPSURV_MODEL_WRITER = 'spinesurv deepsurv';
