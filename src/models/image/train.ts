/**
 * Trains an image DeepSurv network with the Cox partial likelihood (cox-loss.ts, Efron ties).
 *
 * Rare events (7.5%): minibatches are event-aware (splits.ts deals the events evenly over the
 * batches, so with 64 patients a batch holds ~4-5 events instead of none 29% of the time for a
 * random 16). Augmentation per patch (augment.ts), AdamW with decoupled weight decay on the
 * convolution and Linear weights, warm-up then cosine learning rate, early stopping on the C-index
 * of an event-stratified validation split taken from the TRAINING rows only, the best epoch's
 * weights kept.
 *
 * The clinical fallback (network.ts): a network with covariates also holds a linear Cox term, zero
 * and left out of the optimiser while training. After the best epoch is restored, the clinical-only
 * Cox model (the Cox fit of the covariates on the same training part, never the validation rows, in
 * that term, with the head's output layer at zero) is scored on the validation rows; when its C is at
 * least the trained network's, it is kept instead (bestEpoch 0). One comparison of two candidates,
 * after training, not a rival at every epoch: a randomly started head is far below the clinical model
 * for its first epochs, and with ~15 validation events the best of twenty noisy epoch scores would
 * beat a fixed rival by chance.
 *
 * Checkpoint: after every epoch, one safetensors file (weights, optimizer moments, best weights so
 * far, the epoch log in its metadata) written atomically. Every random draw of an epoch (batches,
 * augmentation, dropout) is seeded from (seed, epoch), and the learning rate is a function of the
 * epoch, so a run resumed from the checkpoint of epoch e (e.g. after kill -9) continues exactly as
 * the uninterrupted run did and ends with the same weights.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { decodeSafetensors, encodeSafetensors, manualSeed, noGrad, scope, tensor, type Tensor } from '../../torch/index.js';
import { Random } from '../../util/random.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { harrellC, take } from '../../survival/index.js';
import { coxLossFromPlan, planCoxLoss } from '../cox-loss.js';
import { eventAwareBatches, stratifiedSplit } from '../splits.js';
import { restoreState, snapshotState, type StateSnapshot } from '../snapshot.js';
import { countEvents } from '../survival-data.js';
import { SavableAdamW } from '../../torch/savable-adamw.js';
import { augmentImages } from './augment.js';
import { floatBatch } from './image-batch.js';
import { learningRateAt, type ImageTrainingConfig } from './config.js';
import type { ImageSurvNetwork, RiskNetwork } from './network.js';
import { clinicalCoxCoefficients } from './clinical-cox.js';

export interface ImageEpochLog {
  /** The ensemble member (cross-fit.ts) the entry belongs to; absent for a single network. */
  member?: number;
  epoch: number;
  lr: number;
  trainLoss: number;
  valLoss: number;
  valC: number;
  seconds: number;
}

export interface ImageTrainingJob {
  network: ImageSurvNetwork;
  /** uint8 (N, C, S, S) at the network's input size. */
  images: Tensor;
  /** Per survival row: its row in `images`. */
  imageRow: Int32Array;
  /** Standardised clinical covariates, row-major n x p (p = network.clinicalCount), or null. */
  clinical: Float64Array | null;
  time: Float64Array;
  event: Uint8Array;
  config: ImageTrainingConfig;
  seed: number;
  /** Checkpoint file written after every epoch (none when absent). */
  checkpoint?: string;
  /** Continue from `checkpoint` when it exists. */
  resume?: boolean;
  /**
   * The rows to train on and to validate on (a cross-fitted member's folds); default: an
   * event-stratified split of `validationFraction` drawn from the seed.
   */
  split?: { train: Int32Array; validation: Int32Array };
  /**
   * Train every epoch of the schedule and keep the last weights (a cross-fitted member): no early
   * stopping and no choice among epochs, so nothing hangs on the C-index of a few validation events.
   * The validation rows are still scored each epoch, for the log.
   */
  fixedSchedule?: boolean;
  onEpoch?(entry: ImageEpochLog): void;
}

export interface ImageTrainingResult {
  log: ImageEpochLog[];
  epochsRun: number;
  bestEpoch: number;
  bestValC: number;
  /** Validation partial likelihood (mean per event) of the best epoch. */
  bestValLoss: number;
  /** The clinical-only Cox model was kept (bestEpoch 0). */
  clinicalFallback: boolean;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
  trainRows: Int32Array;
  validationRows: Int32Array;
}

const EVAL_CHUNK = 64;

function clinicalTensor(clinical: Float64Array | null, p: number, rows: Int32Array): Tensor | null {
  if (clinical === null || p === 0) return null;
  const block = new Float32Array(rows.length * p);
  for (let k = 0; k < rows.length; k++) for (let j = 0; j < p; j++) block[k * p + j] = clinical[rows[k] * p + j];
  return tensor(block, [rows.length, p]);
}

/** Eval-mode risks of the given survival rows, in chunks. */
export function networkRisks(network: RiskNetwork, images: Tensor, imageRow: Int32Array, clinical: Float64Array | null, rows: Int32Array): Float64Array {
  network.eval();
  const out = new Float64Array(rows.length);
  for (let start = 0; start < rows.length; start += EVAL_CHUNK) {
    const chunk = rows.subarray(start, Math.min(rows.length, start + EVAL_CHUNK));
    const r = noGrad(() =>
      scope(() => network.risk(floatBatch(images, Int32Array.from(chunk, (i) => imageRow[i])), clinicalTensor(clinical, network.clinicalCount, chunk)).toFloat64Array()),
    );
    out.set(r, start);
  }
  return out;
}

/** What a checkpoint must match to be resumed: the configuration, seed and data. */
function fingerprint(job: ImageTrainingJob): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ config: job.config, net: job.network.config, seed: job.seed, shape: job.images.shape }));
  h.update(Buffer.from(job.time.buffer, job.time.byteOffset, job.time.byteLength));
  h.update(job.event);
  h.update(Buffer.from(job.imageRow.buffer, job.imageRow.byteOffset, job.imageRow.byteLength));
  if (job.clinical) h.update(Buffer.from(job.clinical.buffer, job.clinical.byteOffset, job.clinical.byteLength));
  if (job.split) h.update(JSON.stringify({ train: Array.from(job.split.train), validation: Array.from(job.split.validation) }));
  h.update(job.fixedSchedule ? 'fixed' : 'early-stopping');
  return h.digest('hex');
}

interface CheckpointMeta {
  fingerprint: string;
  epoch: number;
  optimizerStep: number;
  bestEpoch: number;
  bestValC: number;
  bestValLoss: number;
  stoppedEarly: boolean;
  log: ImageEpochLog[];
}

function saveCheckpoint(path: string, job: ImageTrainingJob, opt: SavableAdamW, best: StateSnapshot | null, meta: CheckpointMeta): void {
  scope(() => {
    const tensors = new Map<string, Tensor>();
    for (const [k, t] of job.network.stateDict()) tensors.set(`model.${k}`, t);
    for (const [k, t] of opt.state()) tensors.set(`optimizer.${k}`, t);
    if (best !== null) for (const [k, s] of best) tensors.set(`best.${k}`, tensor(s.data, s.shape, { dtype: s.dtype }));
    writeFileAtomic(path, encodeSafetensors(tensors, { checkpoint: JSON.stringify(meta) }));
  });
}

function loadCheckpoint(path: string, job: ImageTrainingJob, opt: SavableAdamW): { meta: CheckpointMeta; best: StateSnapshot | null } {
  const content = decodeSafetensors(readFileSync(path), path);
  try {
    const meta = JSON.parse(content.metadata.checkpoint ?? 'null') as CheckpointMeta | null;
    if (meta === null) throw new InputError(`${path}: not an image-model training checkpoint`);
    if (meta.fingerprint !== fingerprint(job)) {
      throw new InputError(`${path}: checkpoint was made with other data, settings or seed; remove it or drop --resume`);
    }
    const pick = (prefix: string): Map<string, Tensor> => {
      const m = new Map<string, Tensor>();
      for (const [k, t] of content.tensors) if (k.startsWith(prefix)) m.set(k.slice(prefix.length), t);
      return m;
    };
    job.network.loadStateDict(pick('model.'));
    opt.loadState(meta.optimizerStep, pick('optimizer.'));
    let best: StateSnapshot | null = null;
    const bestTensors = pick('best.');
    if (bestTensors.size > 0) {
      const holder = job.network; // snapshot through the network's own tensors keeps the dtypes right
      const current = snapshotState(holder);
      holder.loadStateDict(bestTensors);
      best = snapshotState(holder);
      restoreState(holder, current);
    }
    return { meta, best };
  } finally {
    for (const t of content.tensors.values()) t.dispose();
  }
}

export function trainImageNetwork(job: ImageTrainingJob): ImageTrainingResult {
  const { network, config, time, event, images, imageRow, clinical } = job;
  const n = time.length;
  const split = job.split ?? (({ first, second }) => ({ train: first, validation: second }))(stratifiedSplit(event, config.validationFraction, new Random(job.seed)));
  const trainRows = split.train;
  const validationRows = split.validation;
  if (countEvents(take(event, validationRows)) < 2 || countEvents(take(event, trainRows)) < 2) {
    throw new InputError(`too few events to train and validate (${countEvents(event)} in ${n} training rows)`);
  }
  const trainEvent = take(event, trainRows);
  const valTime = take(time, validationRows);
  const valEvent = take(event, validationRows);
  const valPlan = planCoxLoss(valTime, valEvent);
  // The clinical term stays zero while training (the fallback sets it afterwards).
  const named = [...network.namedParameters()].filter(([k]) => !k.startsWith('clinical.'));
  const opt = new SavableAdamW(named.map(([, p]) => p), named.map(([k, p]) => k.endsWith('weight') && p.ndim >= 2), {
    lr: config.learningRate,
    weightDecay: config.weightDecay,
  });
  const [, c, s] = images.shape;
  let log: ImageEpochLog[] = [];
  let best: StateSnapshot | null = null;
  let bestValC = -Infinity;
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  const fallback = network.clinicalTerm !== null && clinical !== null && !job.fixedSchedule;
  const validationScores = (): { valLoss: number; valC: number } => {
    const risk = networkRisks(network, images, imageRow, clinical, validationRows);
    const valLoss = scope(() => coxLossFromPlan(tensor(risk, [risk.length], { dtype: 'float64' }), valPlan, { ties: config.ties, reduction: 'mean' }).item());
    return { valLoss, valC: harrellC(valTime, valEvent, risk).c };
  };
  let stoppedEarly = false;
  let startEpoch = 1;
  let resumedFromEpoch = 0;
  try {
    if (job.resume && job.checkpoint && existsSync(job.checkpoint)) {
      const loaded = loadCheckpoint(job.checkpoint, job, opt);
      ({ log, bestEpoch, bestValC, bestValLoss, stoppedEarly } = loaded.meta);
      best = loaded.best;
      startEpoch = loaded.meta.epoch + 1;
      resumedFromEpoch = loaded.meta.epoch;
    }
    for (let epoch = startEpoch; epoch <= config.epochs && !stoppedEarly; epoch++) {
      const started = performance.now();
      const rng = new Random(job.seed * 1_000_003 + epoch);
      manualSeed((job.seed * 7919 + epoch) % 2 ** 31);
      opt.lr = learningRateAt(config, epoch);
      network.train(true);
      let lossSum = 0;
      let lossWeight = 0;
      for (const b of eventAwareBatches(trainEvent, config.batchSize, rng)) {
        const rows = b.map((k) => trainRows[k]);
        const plan = planCoxLoss(take(time, rows), take(event, rows));
        if (plan.events === 0) continue;
        const value = scope(() => {
          opt.zeroGrad();
          let x = floatBatch(images, Int32Array.from(rows, (i) => imageRow[i]));
          if (config.augment) x = augmentImages(x.reshape([rows.length * c, 1, s, s]), config.augment, rng).reshape([rows.length, c, s, s]);
          const loss = coxLossFromPlan(network.risk(x, clinicalTensor(clinical, network.clinicalCount, rows)), plan, { ties: config.ties, reduction: 'mean' });
          loss.backward();
          opt.update();
          return loss.item();
        });
        lossSum += value * plan.events;
        lossWeight += plan.events;
      }
      const trainLoss = lossSum / lossWeight;
      if (!Number.isFinite(trainLoss)) throw new Error(`training diverged at epoch ${epoch} (loss ${trainLoss}); lower --lr`);
      const { valLoss, valC } = validationScores();
      if (job.fixedSchedule) {
        // The last epoch is the model; "best" records it, so the result reads the same either way.
        bestValC = valC;
        bestValLoss = valLoss;
        bestEpoch = epoch;
      } else if (valC > bestValC || best === null) {
        bestValC = valC;
        bestValLoss = valLoss;
        bestEpoch = epoch;
        best = snapshotState(network);
      } else if (epoch >= config.minEpochs && epoch - bestEpoch >= config.patience) {
        stoppedEarly = true;
      }
      const entry: ImageEpochLog = { epoch, lr: opt.lr, trainLoss, valLoss, valC, seconds: (performance.now() - started) / 1000 };
      log.push(entry);
      if (job.checkpoint) {
        saveCheckpoint(job.checkpoint, job, opt, best, { fingerprint: fingerprint(job), epoch, optimizerStep: opt.step, bestEpoch, bestValC, bestValLoss, stoppedEarly, log });
      }
      job.onEpoch?.(entry);
    }
  } finally {
    opt.dispose();
  }
  if (best !== null && !job.fixedSchedule) restoreState(network, best);
  let clinicalFallback = false;
  if (fallback) {
    // The rival: the clinical-only Cox model, as this network (Cox fit in the clinical term, head output zero).
    const trained = snapshotState(network);
    network.setClinicalCoefficients(clinicalCoxCoefficients(clinical, network.clinicalCount, time, event, trainRows, config.ties));
    noGrad(() => network.headOutput().weight.fill_(0));
    const cox = validationScores();
    if (cox.valC >= bestValC) {
      clinicalFallback = true;
      ({ valC: bestValC, valLoss: bestValLoss } = cox);
      bestEpoch = 0;
    } else {
      restoreState(network, trained);
    }
  }
  network.eval();
  return { log, epochsRun: log.length, bestEpoch, bestValC, bestValLoss, clinicalFallback, stoppedEarly, resumedFromEpoch, trainRows, validationRows };
}
