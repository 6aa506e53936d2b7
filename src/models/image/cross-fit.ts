/**
 * Cross-fitting of the image ensemble (ensemble-network.ts), in two steps:
 *
 * 1. trainMembers: the training rows are dealt into K event-stratified folds; member k, an image-only
 *    DeepSurv network, trains on the other K-1 folds for the whole fixed schedule (train.ts with
 *    fixedSchedule) and scores fold k. Each member is a pure function of its task and the data
 *    (trainOneMember), so members may train at once in child processes (member-process.ts) with the
 *    same results. Each member is centred (its output layer's bias) so that its
 *    mean log hazard ratio over all training rows is 0: the Cox likelihood leaves a network's offset
 *    free, and the out-of-fold scores of K members are pooled below.
 * 2. fuseMembers: the Cox model of the out-of-fold image score and the standardised covariates, on all
 *    training rows, gives the fusion weights, calibrated to the mean of the members that a new patient
 *    is scored by (ensemble-calibration.ts says why). The members are shared by clinical models 1-3 and image
 *    only (the study trains them once per subgroup); only the fusion differs.
 *
 * Everything a reader needs to tell a stable run from a lucky one is returned and saved in the model
 * folder: each member's held-out C, their spread, the out-of-fold C of the image score, and the
 * fusion weight of the image with its standard error.
 */
import { coxph, harrellC, take } from '../../survival/index.js';
import { manualSeed, type Tensor } from '../../torch/index.js';
import { Random } from '../../util/random.js';
import { InputError } from '../../util/errors.js';
import { complement, stratifiedFolds } from '../splits.js';
import { restoreState, snapshotState, type StateSnapshot } from '../snapshot.js';
import { countEvents } from '../survival-data.js';
import type { ImageModelConfig } from './config.js';
import { calibrateFusion, memberAgreement, type MemberAgreement } from './ensemble-calibration.js';
import { EnsembleSurvNetwork } from './ensemble-network.js';
import { ImageSurvNetwork } from './network.js';
import { networkRisks, trainImageNetwork, type ImageEpochLog } from './train.js';

export interface MemberRecord {
  member: number;
  trainRows: number;
  heldOutRows: number;
  heldOutEvents: number;
  epochs: number;
  /** Harrell's C of the member on its held-out fold, after the last epoch. */
  heldOutC: number;
  seconds: number;
  log: ImageEpochLog[];
}

export interface TrainedMembers {
  /** The members' weights (an EnsembleSurvNetwork's member*.* tensors). */
  state: StateSnapshot;
  memberCount: number;
  /** Per training row: the image score of the member that did not train on it. */
  outOfFoldScore: Float64Array;
  members: MemberRecord[];
  /** Harrell's C of the pooled out-of-fold image score over all training rows. */
  outOfFoldC: number;
  /** How much the members agree: what the fusion's calibration to the members' mean needs. */
  agreement: MemberAgreement;
}

/** The data every member trains on: the images at the network's input size and the survival rows. */
export interface MemberData {
  channels: number;
  /** uint8 (N, C, S, S) at the network's input size. */
  images: Tensor;
  imageRow: Int32Array;
  time: Float64Array;
  event: Uint8Array;
}

/** One member's job: a pure function of these and the data, wherever it runs. */
export interface MemberTask {
  member: number;
  /** The member's held-out fold (rows of the data); it trains on the others. */
  held: Int32Array;
  config: ImageModelConfig;
  seed: number;
  /** This member's checkpoint file (written each epoch), and whether to continue from it. */
  checkpoint?: string;
  resume?: boolean;
}

export interface MemberOutcome {
  member: number;
  /** The member's weights (an ImageSurvNetwork's state, without the member prefix). */
  state: StateSnapshot;
  /** The member's centred scores on every training row (its held-out fold's are out of fold). */
  score: Float64Array;
  record: MemberRecord;
}

/** The members' tasks: K event-stratified folds of the rows, one member per fold. */
export function memberTasks(config: ImageModelConfig, event: Uint8Array, seed: number, checkpoint?: string, resume?: boolean): MemberTask[] {
  const k = config.ensemble;
  const folds = stratifiedFolds(event, k, new Random(seed));
  for (const [i, f] of folds.entries()) {
    if (countEvents(take(event, f)) < 1) throw new InputError(`too few events for ${k} folds: fold ${i + 1} has none (${countEvents(event)} events in ${event.length} training rows); lower the ensemble size`);
  }
  return folds.map((held, member) => ({ member, held, config, seed, ...(checkpoint ? { checkpoint: `${checkpoint}.member${member + 1}`, resume } : {}) }));
}

export function trainOneMember(task: MemberTask, data: MemberData, onEpoch?: (entry: ImageEpochLog) => void): MemberOutcome {
  const started = performance.now();
  const { time, event, images, imageRow } = data;
  const n = time.length;
  // Each member starts from its own seed, so it is the same network whichever thread trains it.
  const memberSeed = task.seed * 101 + task.member;
  manualSeed(memberSeed);
  const member = new ImageSurvNetwork({ ...task.config, clinicalModel: 0 }, data.channels, 0);
  try {
    const result = trainImageNetwork({
      network: member, images, imageRow, clinical: null, time, event, config: task.config.training,
      seed: memberSeed, split: { train: complement(n, task.held), validation: task.held }, fixedSchedule: true, onEpoch,
      checkpoint: task.checkpoint, resume: task.resume,
    });
    // Centre the member on all training rows (its output bias), so that pooled out-of-fold scores share an origin.
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const risk = networkRisks(member, images, imageRow, null, all);
    let mean = 0;
    for (const r of risk) mean += r / n;
    member.headOutput().bias?.addInPlace_(-mean);
    return {
      member: task.member,
      state: snapshotState(member),
      score: Float64Array.from(risk, (r) => r - mean),
      record: {
        member: task.member, trainRows: n - task.held.length, heldOutRows: task.held.length, heldOutEvents: countEvents(take(event, task.held)),
        epochs: result.epochsRun, heldOutC: result.bestValC, seconds: (performance.now() - started) / 1000, log: result.log,
      },
    };
  } finally {
    member.dispose();
  }
}

/** The members' outcomes, in any order, as one ensemble's weights and out-of-fold scores. */
export function assembleMembers(tasks: MemberTask[], outcomes: MemberOutcome[], time: Float64Array, event: Uint8Array): TrainedMembers {
  const state: StateSnapshot = new Map();
  const outOfFoldScore = new Float64Array(time.length);
  const sorted = [...outcomes].sort((a, b) => a.member - b.member);
  for (const o of sorted) {
    for (const [k, v] of o.state) state.set(`member${o.member}.${k}`, v);
    for (const row of tasks[o.member].held) outOfFoldScore[row] = o.score[row];
  }
  const agreement = memberAgreement(sorted.map((o) => o.score), sorted.map((o) => tasks[o.member].held), outOfFoldScore);
  return { state, memberCount: tasks.length, outOfFoldScore, members: sorted.map((o) => o.record), outOfFoldC: harrellC(time, event, outOfFoldScore).c, agreement };
}

/** Every member here, one after another (the processes' version: fit.ts trainImageMembersInProcesses). */
export function trainMembers(
  config: ImageModelConfig,
  data: MemberData,
  seed: number,
  onEpoch?: (member: number, entry: ImageEpochLog) => void,
  checkpoint?: { path: string; resume: boolean },
): TrainedMembers {
  const tasks = memberTasks(config, data.event, seed, checkpoint?.path, checkpoint?.resume);
  const outcomes = tasks.map((t) => trainOneMember(t, data, onEpoch ? (e) => onEpoch(t.member, e) : undefined));
  return assembleMembers(tasks, outcomes, data.time, data.event);
}

export interface FusionRecord {
  /**
   * What the network applies to [mean of the members' scores, covariates...]: the fitted coefficients
   * calibrated to the members' mean (ensemble-calibration.ts).
   */
  coefficients: number[];
  /** The Cox fit on [out-of-fold image score, covariates...] (a covariate constant on the training rows gets 0). */
  fitted: number[];
  /** coefficients[0] / fitted[0]: how much the calibration raised the image's weight. */
  imageFactor: number;
  agreement: MemberAgreement;
  /** Standard error of the image score's coefficient (NaN when the fit could not give one). */
  imageSe: number;
  /** Harrell's C of the fused out-of-fold risk on the training rows. */
  outOfFoldC: number;
}

/**
 * An ensemble network with the trained members and the Cox fusion of their out-of-fold score with the
 * standardised covariates z (row-major n x p, or null for image only).
 */
export function fuseMembers(
  trained: TrainedMembers,
  config: ImageModelConfig,
  channels: number,
  z: Float64Array | null,
  p: number,
  time: Float64Array,
  event: Uint8Array,
): { network: EnsembleSurvNetwork; fusion: FusionRecord } {
  const n = time.length;
  const columns: Float64Array[] = [trained.outOfFoldScore];
  const used: number[] = [0];
  for (let j = 0; j < p; j++) {
    const column = Float64Array.from({ length: n }, (_, i) => z![i * p + j]);
    if (column.some((v) => v !== column[0])) {
      columns.push(column);
      used.push(j + 1);
    }
  }
  const fit = coxph({ time, event, covariates: columns, ties: config.training.ties, concordance: false });
  const fitted = new Array<number>(1 + p).fill(0);
  used.forEach((j, c) => (fitted[j] = Number.isFinite(fit.coef[c]) ? fit.coef[c] : 0));
  const { coefficients, imageFactor } = calibrateFusion(fitted, trained.outOfFoldScore, z, p, trained.agreement);
  const network = new EnsembleSurvNetwork(config, channels, p, trained.memberCount);
  try {
    // The members only: the fusion of the training run (no covariates) has another shape.
    restoreState(network, new Map([...trained.state].filter(([k]) => k.startsWith('member'))), false);
    network.setFusion(coefficients);
    network.eval();
  } catch (error) {
    network.dispose();
    throw error;
  }
  return {
    network,
    fusion: {
      coefficients, fitted, imageFactor, agreement: trained.agreement,
      imageSe: Number.isFinite(fit.se[0]) ? fit.se[0] : NaN, outOfFoldC: harrellC(time, event, fit.linearPredictor).c,
    },
  };
}
