/**
 * Training the keypoint detector: HRNet on Gaussian target heatmaps (MSE), Adam with a cosine fall of
 * the learning rate from 1e-3 to 1e-5 (per step), augmentation (rotation, scale, translation,
 * horizontal flip with the labels unchanged, contrast/brightness, gamma, noise), a checkpoint after
 * every epoch (weights, Adam moments and the run's record in one file, renamed into place) and resume.
 * Every random draw comes from (seed, fold, epoch), so a resumed run equals an uninterrupted one.
 * With folds, K-fold cross-validation over the training rows reports mean and SD of the held-out AP,
 * then the final model is trained on all rows.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as F from '../torch/functional.js';
import { decodeSafetensors, encodeSafetensors, manualSeed, randn, scope, tensor, withNumThreads, type SavableAdamW, type Tensor } from '../torch/index.js';
import { soloJobThreads } from '../torch/compute-mode.js';
import { InputError, UsageError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output-folder.js';
import { writeDirAtomic, writeFileAtomic } from '../util/atomic-write.js';
import { Random } from '../util/random.js';
import { NUM_KEYPOINTS } from '../keypoints/index.js';
import { encodeHeatmaps } from './codec.js';
import { cohortImages, loadSamples, readTruthFile, type CohortImage, type Sample } from './dataset.js';
import { detectorAdam } from './detector-optimizer.js';
import { DEFAULT_SIGMAS } from './evaluate.js';
import { applyAffine, augmentation, compose, inputToHeatmap, letterbox, type Affine } from './geometry.js';
import { HRNet } from './hrnet.js';
import { inputBatch } from './image-input.js';
import { LandmarkModel, modelJson, networkInput, writeModelFiles, type ModelJson } from './model.js';
import { oksAp } from './oks-ap.js';
import { cpuProfile, epochsForData, profileByName, type LandmarkProfile } from './profiles.js';

export interface TrainProgress {
  /** 'fold 2/5' or 'final'. */
  run: string;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  /** Validation AP after the epoch (undefined during an epoch). */
  valAp?: number;
}

export interface TrainLandmarkOptions {
  cohortDir: string;
  out: string;
  /** Rows of cohort.csv with this split (default 'train'). */
  split?: string;
  /** Default DIR/keypoints.json. */
  keypointsPath?: string;
  /**
   * The radiographs to learn from, as the caller read its cohort (the study reads it once, through
   * study.json, and passes its annotated training rows); default: DIR/cohort.csv's rows of `split`.
   */
  images?: CohortImage[];
  profile?: LandmarkProfile | 'cpu' | 'paper';
  /** Overrides the profile's input size (a multiple of 32). */
  inputSize?: number;
  epochs?: number;
  folds?: number;
  seed?: number;
  init?: string;
  resume?: boolean;
  force?: boolean;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (line: string) => void;
}

export interface FoldResult {
  fold: number;
  ap: number;
  ap50: number;
  ap75: number;
  images: number;
}

export interface TrainLandmarkResult {
  out: string;
  model: ModelJson;
  cv: { folds: FoldResult[]; ap_mean: number; ap_sd: number } | null;
  validation: { ap: number; images: number } | null;
  minutes: number;
}

// Augmentation ranges (applied to each training image independently).
const AUG = { degrees: 15, logScale: Math.log(1.25), shift: 0.08, flip: 0.5, contrast: [0.7, 1.3], brightness: 0.1, logGamma: 0.4, noise: 0.03 };

/** An integer seed for one stream: (seed, run, epoch, purpose). */
function streamSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p & 0xffff), 0x01000193);
    h = Math.imul(h ^ (p >>> 16), 0x01000193);
  }
  return h >>> 0;
}

function cosineLr(step: number, total: number, [start, end]: [number, number]): number {
  return end + ((start - end) * (1 + Math.cos((Math.PI * Math.min(step, total)) / total))) / 2;
}

/** Loads pretrained weights by parameter name: shapes that match are copied, the rest reported. */
export function loadInitWeights(net: HRNet, path: string): { loaded: number; skipped: string[] } {
  let tensors: Map<string, Tensor>;
  try {
    tensors = decodeSafetensors(readFileSync(path), path).tensors;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot be read (${(error as Error).message})`);
  }
  const own = net.stateDict();
  const use = new Map<string, Tensor>();
  const skipped: string[] = [];
  try {
    for (const [stored, t] of tensors) {
      // Checkpoints saved from nn.DataParallel carry a "module." prefix on every name.
      const name = stored.startsWith('module.') ? stored.slice(7) : stored;
      const target = own.get(name);
      if (target === undefined) { skipped.push(name); continue; }
      let value = t;
      // RGB weights on a greyscale input: a grey image is R = G = B, so the colour filters add up.
      if (name === 'conv1.weight' && t.ndim === 4 && t.size(1) === 3 && target.size(1) === 1) value = t.sum(1, true);
      if (value.shape.join() !== target.shape.join()) { skipped.push(name); continue; }
      use.set(name, value);
    }
    if (use.size === 0) throw new InputError(`${path}: no tensor matches a parameter of this network by name and shape`);
    net.loadStateDict(use, false);
  } finally {
    for (const t of tensors.values()) t.dispose();
    for (const t of use.values()) t.dispose();
  }
  return { loaded: use.size, skipped };
}

interface RunSpec {
  label: string;
  index: number;
  train: Sample[];
  val: Sample[];
}

interface Checkpoint {
  epoch: number;
  history: { epoch: number; loss: number; val_ap: number | null }[];
}

function saveCheckpoint(path: string, net: HRNet, adam: SavableAdamW, state: Checkpoint): void {
  const tensors = new Map<string, Tensor>([...net.stateDict()].map(([k, t]) => [`model.${k}`, t]));
  for (const [k, t] of adam.state()) tensors.set(`adam.${k}`, t);
  writeFileAtomic(path, encodeSafetensors(tensors, { state: JSON.stringify({ ...state, adam_step: adam.step }) }));
}

function loadCheckpoint(path: string, net: HRNet, adam: SavableAdamW): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  try {
    const state = JSON.parse(metadata.state ?? '{}') as Checkpoint & { adam_step: number };
    const model = new Map<string, Tensor>();
    const moments = new Map<string, Tensor>();
    for (const [k, t] of tensors) {
      if (k.startsWith('model.')) model.set(k.slice('model.'.length), t);
      else if (k.startsWith('adam.')) moments.set(k.slice('adam.'.length), t);
    }
    net.loadStateDict(model, true);
    adam.loadState(state.adam_step, moments);
    return { epoch: state.epoch, history: state.history };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Validation AP of the network on samples (letterbox only, no augmentation). */
function validationAp(net: HRNet, meta: ModelJson, samples: Sample[]): number {
  if (samples.length === 0) return NaN;
  const model = new LandmarkModel(net, meta);
  const preds = model.predictPrepared(samples.map((s) => s.image));
  net.train();
  const truth = samples.map((s) => ({
    imageId: s.imageId, area: s.area, keypoints: Array.from({ length: 3 * NUM_KEYPOINTS }, (_, i) => (i % 3 === 2 ? 2 : s.keypoints[2 * Math.floor(i / 3) + (i % 3)]!)),
  }));
  return oksAp(truth, preds.map((p, i) => ({ imageId: samples[i]!.imageId, keypoints: p.keypoints, score: p.score })), DEFAULT_SIGMAS, 2).ap;
}

/** One training batch: augmented inputs and their target heatmaps. */
function makeBatch(samples: Sample[], profile: LandmarkProfile, rng: Random, noiseSeed: number): { x: Tensor; target: Tensor } {
  const size = profile.inputSize, hs = size / profile.stride;
  const maps: Affine[] = [];
  const targets = new Float32Array(samples.length * NUM_KEYPOINTS * hs * hs);
  const contrast: number[] = [], brightness: number[] = [], gamma: number[] = [], noise: number[] = [];
  samples.forEach((s, b) => {
    const aug = augmentation(size / 2, size / 2, rng.between(-AUG.degrees, AUG.degrees), Math.exp(rng.between(-AUG.logScale, AUG.logScale)),
      rng.between(-AUG.shift, AUG.shift) * size, rng.between(-AUG.shift, AUG.shift) * size, rng.bernoulli(AUG.flip));
    const map = compose(aug, letterbox(s.image.columns, s.image.rows, size));
    maps.push(map);
    const toHeat = compose(inputToHeatmap(profile.stride), map);
    const pts = new Float64Array(2 * NUM_KEYPOINTS);
    for (let k = 0; k < NUM_KEYPOINTS; k++) {
      const [hx, hy] = applyAffine(toHeat, s.keypoints[2 * k]!, s.keypoints[2 * k + 1]!);
      pts[2 * k] = hx;
      pts[2 * k + 1] = hy;
    }
    encodeHeatmaps(pts, { width: hs, height: hs }, profile.sigma, targets.subarray(b * NUM_KEYPOINTS * hs * hs, (b + 1) * NUM_KEYPOINTS * hs * hs));
    contrast.push(rng.between(AUG.contrast[0]!, AUG.contrast[1]!));
    brightness.push(rng.between(-AUG.brightness, AUG.brightness));
    gamma.push(Math.exp(rng.between(-AUG.logGamma, AUG.logGamma)));
    noise.push(rng.between(0, AUG.noise));
  });
  const n = samples.length;
  const per = (v: number[]): Tensor => tensor(Float32Array.from(v), [n, 1, 1, 1]);
  const x = scope(() => {
    const raw = inputBatch(samples.map((s) => s.image), maps, size);
    manualSeed(noiseSeed);
    const shaped = raw.clamp(1e-6, 1).pow(per(gamma)).sub(0.5).mul(per(contrast)).add(per(brightness).add(0.5));
    return networkInput(shaped.add(randn([n, 1, size, size]).mul(per(noise))));
  });
  return { x, target: tensor(targets, [n, NUM_KEYPOINTS, hs, hs]) };
}

function trainOneRun(
  run: RunSpec, profile: LandmarkProfile, meta: ModelJson, seed: number, checkpointPath: string, resume: boolean, init: string | undefined,
  onProgress: (p: TrainProgress) => void, onLog: (line: string) => void,
): { net: HRNet; history: Checkpoint['history'] } {
  manualSeed(streamSeed(seed, run.index, 0xffff));
  const net = new HRNet(profile.network);
  if (init !== undefined) {
    const r = loadInitWeights(net, init);
    onLog(`landmarks train: --init loaded ${r.loaded} tensors by name${r.skipped.length > 0 ? `; not used: ${r.skipped.slice(0, 5).join(', ')}${r.skipped.length > 5 ? ', ...' : ''}` : ''}`);
  }
  const adam = detectorAdam(net, profile.lr[0]);
  let state: Checkpoint = { epoch: 0, history: [] };
  if (resume && existsSync(checkpointPath)) {
    state = loadCheckpoint(checkpointPath, net, adam);
    onLog(`landmarks train: ${run.label}: resumed after epoch ${state.epoch}`);
  }
  const n = run.train.length;
  const bs = Math.min(profile.batchSize, n);
  const steps = Math.floor(n / bs);
  const total = steps * profile.epochs;
  net.train();
  try {
    for (let epoch = state.epoch; epoch < profile.epochs; epoch++) {
      const rng = new Random(streamSeed(seed, run.index, epoch, 1));
      const order = rng.permutation(n);
      let lossSum = 0;
      for (let s = 0; s < steps; s++) {
        const globalStep = epoch * steps + s;
        adam.lr = cosineLr(globalStep, total, profile.lr);
        const batch = Array.from(order.subarray(s * bs, (s + 1) * bs), (i) => run.train[i]!);
        const loss = scope(() => {
          const { x, target } = makeBatch(batch, profile, rng, streamSeed(seed, run.index, globalStep, 2));
          const l = F.mseLoss(net.forward(x), target);
          adam.zeroGrad();
          l.backward();
          adam.update();
          return l.item();
        });
        lossSum += loss;
        onProgress({ run: run.label, epoch: epoch + 1, epochs: profile.epochs, step: s + 1, steps, loss: lossSum / (s + 1) });
      }
      // A small cohort runs hundreds of one-step epochs (epochsForData): validate and checkpoint about
      // 50 times a run, not every epoch. Resuming redoes the epochs since the last checkpoint, with the
      // same random draws, so the weights still end the same.
      const every = Math.max(1, Math.ceil(profile.epochs / 50));
      if ((epoch + 1) % every !== 0 && epoch + 1 !== profile.epochs) continue;
      const valAp = run.val.length > 0 ? validationAp(net, meta, run.val) : NaN;
      state = { epoch: epoch + 1, history: [...state.history, { epoch: epoch + 1, loss: lossSum / steps, val_ap: Number.isNaN(valAp) ? null : valAp }] };
      saveCheckpoint(checkpointPath, net, adam, state);
      onProgress({ run: run.label, epoch: epoch + 1, epochs: profile.epochs, step: steps, steps, loss: lossSum / steps, valAp: Number.isNaN(valAp) ? undefined : valAp });
    }
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    adam.dispose();
  }
  return { net, history: state.history };
}

function resolveProfile(options: TrainLandmarkOptions): LandmarkProfile {
  const base = options.profile === undefined ? cpuProfile() : typeof options.profile === 'string' ? profileByName(options.profile) : options.profile;
  const profile: LandmarkProfile = { ...base, network: { ...base.network } };
  if (options.inputSize !== undefined) {
    if (!(Number.isInteger(options.inputSize) && options.inputSize >= 64 && options.inputSize % 32 === 0)) {
      throw new UsageError(`landmarks train: --size must be a multiple of 32 and at least 64, got ${options.inputSize}`);
    }
    profile.inputSize = options.inputSize;
  }
  if (options.epochs !== undefined) profile.epochs = options.epochs;
  return profile;
}

export async function trainLandmarkModel(options: TrainLandmarkOptions): Promise<TrainLandmarkResult> {
  const started = Date.now();
  const profile = resolveProfile(options);
  const seed = options.seed ?? 1;
  const log = options.onLog ?? (() => {});
  const onProgress = options.onProgress ?? (() => {});
  checkOutputFolder(options.out, { force: options.force });
  const partial = `${options.out}.partial`;
  if (existsSync(partial) && !options.resume) {
    if (!options.force) throw new InputError(`${partial}: an interrupted run's checkpoints are here; continue it with --resume, or start over with --force`);
    rmSync(partial, { recursive: true, force: true });
  }
  mkdirSync(partial, { recursive: true });
  const keypointsPath = options.keypointsPath ?? join(options.cohortDir, 'keypoints.json');
  const keypoints = readTruthFile(keypointsPath);
  const images = options.images ?? cohortImages(options.cohortDir, options.split ?? 'train', keypoints);
  if (images.length === 0) throw new InputError(`${keypointsPath}: no radiograph to learn from`);
  log(`landmarks train: reading ${images.length} images`);
  const samples = await loadSamples(images, keypoints, profile.inputSize);
  const folds = options.folds ?? 1;
  if (!(Number.isInteger(folds) && folds >= 1 && (folds === 1 || folds <= samples.length))) throw new UsageError(`landmarks train: --folds must be an integer from 2 to the number of images, got ${folds}`);
  const meta0 = modelJson(profile, {});
  const runs: RunSpec[] = [];
  const perm = new Random(streamSeed(seed, 0xfeed)).permutation(samples.length);
  if (folds > 1) {
    for (let k = 0; k < folds; k++) {
      const held = new Set(Array.from(perm).filter((_, i) => i % folds === k));
      runs.push({ label: `fold ${k + 1}/${folds}`, index: k + 1, train: samples.filter((_, i) => !held.has(i)), val: samples.filter((_, i) => held.has(i)) });
    }
  }
  const nVal = samples.length >= 20 ? Math.round(profile.validationShare * samples.length) : 0;
  // Epochs not given: the profile's, or enough for its fewest steps on this many radiographs.
  if (options.epochs === undefined) profile.epochs = epochsForData(profile, samples.length - nVal);
  const valSet = new Set(Array.from(perm).slice(0, nVal));
  runs.push({ label: 'final', index: 0, train: samples.filter((_, i) => !valSet.has(i)), val: samples.filter((_, i) => valSet.has(i)) });

  const foldResults: FoldResult[] = [];
  let final: { net: HRNet; history: Checkpoint['history'] } | null = null;
  for (const run of runs) {
    const resultPath = join(partial, `result-${run.index}.json`);
    if (run.index > 0 && options.resume && existsSync(resultPath)) {
      foldResults.push(JSON.parse(readFileSync(resultPath, 'utf8')) as FoldResult);
      continue;
    }
    // Nothing runs beside the detector's training: it gets the compute mode's threads for a lone job.
    const trained = withNumThreads(soloJobThreads(), () =>
      trainOneRun(run, profile, meta0, seed, join(partial, `checkpoint-${run.index}.safetensors`), options.resume === true, options.init, onProgress, log));
    if (run.index > 0) {
      const model = new LandmarkModel(trained.net, meta0);
      const preds = model.predictPrepared(run.val.map((s) => s.image));
      const truth = run.val.map((s) => ({ imageId: s.imageId, area: s.area, keypoints: Array.from({ length: 15 }, (_, i) => (i % 3 === 2 ? 2 : s.keypoints[2 * Math.floor(i / 3) + (i % 3)]!)) }));
      const r = oksAp(truth, preds.map((p, i) => ({ imageId: run.val[i]!.imageId, keypoints: p.keypoints, score: p.score })), DEFAULT_SIGMAS, 2);
      const fr: FoldResult = { fold: run.index, ap: r.ap, ap50: r.ap50, ap75: r.ap75, images: run.val.length };
      writeFileSync(resultPath, JSON.stringify(fr));
      foldResults.push(fr);
      log(`landmarks train: ${run.label}: held-out AP ${r.ap.toFixed(4)} (AP50 ${r.ap50.toFixed(4)}, AP75 ${r.ap75.toFixed(4)}, ${run.val.length} images)`);
      model.dispose();
    } else {
      final = trained;
    }
  }
  const aps = foldResults.map((f) => f.ap);
  const apMean = aps.length > 0 ? aps.reduce((s, a) => s + a, 0) / aps.length : NaN;
  const apSd = aps.length > 1 ? Math.sqrt(aps.reduce((s, a) => s + (a - apMean) ** 2, 0) / (aps.length - 1)) : NaN;
  const cv = folds > 1 ? { folds: foldResults, ap_mean: apMean, ap_sd: apSd } : null;
  const lastVal = final!.history[final!.history.length - 1]?.val_ap ?? null;
  const minutes = (Date.now() - started) / 60000;
  const meta = modelJson(profile, {
    cohort: options.cohortDir, split: options.split ?? 'train', images: samples.length, validation_images: nVal, epochs: profile.epochs,
    batch_size: profile.batchSize, lr: profile.lr, seed, init: options.init ?? null, augmentation: AUG, history: final!.history, cv,
    minutes_this_session: minutes,
  });
  try {
    await writeDirAtomic(options.out, (dir) => writeModelFiles(dir, final!.net, meta, (p, d) => writeFileSync(p, d)), { force: options.force, createdBy: 'spinesurv landmarks train' });
  } finally {
    final!.net.dispose();
  }
  rmSync(partial, { recursive: true, force: true });
  return { out: options.out, model: meta, cv, validation: lastVal === null ? null : { ap: lastVal, images: nVal }, minutes };
}
