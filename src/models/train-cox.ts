/**
 * Trains any network whose output is one log hazard ratio per row with the Cox partial likelihood:
 * the DeepSurv MLP now, image models (encoder + head) later. It knows nothing of covariates or
 * images: `input(rows)` gives the network's input tensor for those rows.
 *
 * Per epoch: event-aware minibatches (or one full batch), loss = mean Cox NLL over the batch's events
 * + l2 * sum of squared Linear weights, Adam or SGD with Nesterov momentum, learning rate
 * lr / (1 + decay * epoch). With a validation split, the C-index on it is checked every epoch and the
 * best epoch's weights are restored at the end (early stopping after `patience` epochs without gain).
 * All randomness comes from `rng` (splits, batches) and the engine's seed (initialisation, dropout).
 */
import { Adam, InverseTimeLR, SGD, noGrad, scope, type Module, type Tensor } from '../torch/index.js';
import { Random } from '../util/random.js';
import { coxLossFromPlan, planCoxLoss, type CoxLossPlan } from './cox-loss.js';
import { eventAwareBatches, stratifiedSplit } from './splits.js';
import { restoreState, snapshotState, type StateSnapshot } from './snapshot.js';
import { harrellC, take } from '../survival/index.js';
import type { TrainingConfig } from './deepsurv/config.js';
import { countEvents } from './survival-data.js';

export interface EpochLog {
  epoch: number;
  lr: number;
  trainLoss: number;
  valLoss?: number;
  valC?: number;
}

export interface CoxTrainingJob {
  network: Module;
  /** The network input for the given rows (row indices into time/event). */
  input(rows: Int32Array): Tensor;
  time: Float64Array;
  event: Uint8Array;
  config: TrainingConfig;
  rng: Random;
  /** Rows to train on (default all); the validation split is taken from these. */
  rows?: Int32Array;
  onEpoch?(entry: EpochLog): void;
}

export interface TrainingResult {
  log: EpochLog[];
  epochsRun: number;
  /** The epoch whose weights were kept (the last one without validation). */
  bestEpoch: number;
  bestValC: number | null;
  stoppedEarly: boolean;
  trainRows: Int32Array;
  validationRows: Int32Array;
}

/** Squared weights of every 2-D parameter named "*weight" (Linear/Conv kernels, not biases or norms). */
function weightPenalty(network: Module): Tensor | null {
  let total: Tensor | null = null;
  for (const [name, p] of network.namedParameters()) {
    if (!name.endsWith('weight') || p.shape.length < 2) continue;
    const sq = p.mul(p).sum();
    total = total === null ? sq : total.add(sq);
  }
  return total;
}

/** The validation rows' input, times, events and loss plan, made once for every epoch's check. */
function validationSet(job: CoxTrainingJob, rows: Int32Array) {
  const time = take(job.time, rows);
  const event = take(job.event, rows);
  return { input: job.input(rows), time, event, plan: planCoxLoss(time, event) };
}

export function trainCoxNetwork(job: CoxTrainingJob): TrainingResult {
  const { network, config, time, event } = job;
  const all = job.rows ?? Int32Array.from({ length: time.length }, (_, i) => i);
  const splitRng = job.rng.fork();
  const batchRng = job.rng.fork();
  let trainRows = all;
  let validationRows = new Int32Array(0);
  if (config.validationFraction > 0) {
    const allEvents = take(event, all);
    const split = stratifiedSplit(allEvents, config.validationFraction, splitRng);
    trainRows = split.first.map((k) => all[k]);
    validationRows = split.second.map((k) => all[k]);
    if (countEvents(take(event, validationRows)) < 2) {
      // Too few events to rank: train on everything, without early stopping.
      trainRows = all;
      validationRows = new Int32Array(0);
    }
  }
  const trainEvent = take(event, trainRows);
  const params = network.parameters();
  const optimizer =
    config.optimizer === 'adam'
      ? new Adam(params, { lr: config.learningRate })
      : new SGD(params, { lr: config.learningRate, momentum: config.momentum, nesterov: config.momentum > 0 });
  const schedule = new InverseTimeLR(optimizer, config.lrDecay);

  const fullBatch = config.batchSize <= 0 || config.batchSize >= trainRows.length;
  const fullPlan = fullBatch ? planCoxLoss(take(time, trainRows), trainEvent) : null;
  const fullInput = fullBatch ? job.input(trainRows) : null;
  const validation = validationRows.length > 0 ? validationSet(job, validationRows) : null;

  const log: EpochLog[] = [];
  let best: StateSnapshot | null = null;
  let bestValC = -Infinity;
  let bestEpoch = 0;
  let stoppedEarly = false;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= config.epochs; epoch++) {
      const lr = schedule.lrAt(epoch - 1);
      optimizer.lr = lr;
      network.train(true);
      let lossSum = 0;
      let lossWeight = 0;
      const batches: { rows: Int32Array | null; plan: CoxLossPlan }[] = fullBatch
        ? [{ rows: null, plan: fullPlan! }]
        : eventAwareBatches(trainEvent, config.batchSize, batchRng).map((b) => {
            const rows = b.map((k) => trainRows[k]);
            return { rows, plan: planCoxLoss(take(time, rows), take(event, rows)) };
          });
      for (const batch of batches) {
        if (batch.plan.events === 0) continue;
        const value = scope(() => {
          optimizer.zeroGrad();
          const x = batch.rows === null ? fullInput! : job.input(batch.rows);
          let loss = coxLossFromPlan(network.forward(x), batch.plan, { ties: config.ties, reduction: 'mean' });
          const data = loss.item();
          if (config.l2 > 0) {
            const penalty = weightPenalty(network);
            if (penalty !== null) loss = loss.add(penalty.double().mul(config.l2));
          }
          loss.backward();
          optimizer.step();
          return data;
        });
        lossSum += value * batch.plan.events;
        lossWeight += batch.plan.events;
      }
      const entry: EpochLog = { epoch, lr, trainLoss: lossWeight > 0 ? lossSum / lossWeight : NaN };
      if (!Number.isFinite(entry.trainLoss)) throw new Error(`training diverged at epoch ${epoch} (loss ${entry.trainLoss}); lower the learning rate`);
      if (validation) {
        network.eval();
        const { risk, loss } = noGrad(() =>
          scope(() => {
            const out = network.forward(validation.input);
            const l = coxLossFromPlan(out, validation.plan, { ties: config.ties, reduction: 'mean' }).item();
            return { risk: out.toFloat64Array(), loss: l };
          }),
        );
        entry.valLoss = loss;
        entry.valC = harrellC(validation.time, validation.event, risk).c;
        if (entry.valC > bestValC || best === null) {
          bestValC = entry.valC;
          bestEpoch = epoch;
          best = snapshotState(network);
        } else if (epoch - bestEpoch >= config.patience) {
          stoppedEarly = true;
        }
      }
      log.push(entry);
      job.onEpoch?.(entry);
      if (stoppedEarly) break;
    }
  } finally {
    optimizer.dispose();
    fullInput?.dispose();
    validation?.input.dispose();
  }
  if (best !== null) restoreState(network, best);
  network.eval();
  return {
    log,
    epochsRun: Math.min(epoch, config.epochs),
    bestEpoch: best !== null ? bestEpoch : Math.min(epoch, config.epochs),
    bestValC: best !== null ? bestValC : null,
    stoppedEarly,
    trainRows,
    validationRows,
  };
}
