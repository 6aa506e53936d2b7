/**
 * npm run bench:image-model
 *   1. A training step (forward, Cox loss, backward, AdamW update) and an eval-mode inference of the
 *      patch model (CPU profile: ResNet-18 width 16, 64 px patches, 64 patients x 5 patches),
 *      spinesurv against the same network in PyTorch (torch_patch_model.py), same thread count:
 *      median wall and CPU time of several repetitions, and the ratio spinesurv / PyTorch.
 *   2. `spinesurv predict --image` (the whole chain: read, keypoints from the model's detector, quality
 *      flags, patches, risk) wall and CPU time from a fresh process on a 1024 px DICOM and on a
 *      3000 x 2500 DICOM (the same radiograph upsampled), and in-process once the models are loaded.
 * Needs an image model folder with a keypoint detector: BENCH_MODEL=DIR (default: trains a small
 * detector and model on a 120-patient synthetic cohort first, a few minutes). BENCH_PART=predict
 * times only step 2 and keeps step 1 of the last full run. Writes bench/image-model/results.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, noGrad, rand, randn, scope, setNumThreads, tensor, runtimeInfo } from '../../src/torch/index.js';
import { ImageSurvNetwork } from '../../src/models/image/network.js';
import { SavableAdamW } from '../../src/torch/savable-adamw.js';
import { DEFAULT_IMAGE_CONFIG } from '../../src/models/image/config.js';
import { coxLossFromPlan, planCoxLoss } from '../../src/models/cox-loss.js';
import { readRadiograph, writeDicom } from '../../src/imaging/index.js';
import { RadiographScorer, type ScoreRequest } from '../../src/models/image/radiograph-scorer.js';
import { preprocessCohort } from '../../src/preprocess/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'bin', 'spinesurv.js');
const threads = Number(process.env.BENCH_THREADS ?? 2);
const steps = Number(process.env.BENCH_STEPS ?? 5);
const { width } = DEFAULT_IMAGE_CONFIG.encoder;
const size = DEFAULT_IMAGE_CONFIG.inputSize;
const batch = 64;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: () => void): { median_wall_ms: number; median_cpu_ms: number } {
  fn();
  fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fn();
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { median_wall_ms: median(wall), median_cpu_ms: median(cpu) };
}

type Timing = { median_wall_ms: number; median_cpu_ms: number };
type Timings = { train_step: Timing; inference: Timing };
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 4);

function medianOfBlocks(blocks: Timings[]): Timings {
  const pick = (k: keyof Timings, f: keyof Timing): number => median(blocks.map((b) => b[k][f]));
  return {
    train_step: { median_wall_ms: pick('train_step', 'median_wall_ms'), median_cpu_ms: pick('train_step', 'median_cpu_ms') },
    inference: { median_wall_ms: pick('inference', 'median_wall_ms'), median_cpu_ms: pick('inference', 'median_cpu_ms') },
  };
}

function spinesurvSteps(): Timings {
  setNumThreads(threads);
  manualSeed(1);
  const net = new ImageSurvNetwork(DEFAULT_IMAGE_CONFIG, 5, 5);
  const named = [...net.namedParameters()];
  const opt = new SavableAdamW(named.map(([, p]) => p), named.map(([k, p]) => k.endsWith('weight') && p.ndim >= 2), { lr: 1e-3, weightDecay: 1e-4 });
  const x = rand([batch, 5, size, size]);
  const clinical = randn([batch, 5]);
  const t = Float64Array.from({ length: batch }, () => Math.random());
  const e = Uint8Array.from({ length: batch }, (_, i) => (i % 13 === 0 ? 1 : 0));
  const plan = planCoxLoss(t, e);
  const train = timeIt(() => scope(() => {
    net.train(true);
    opt.zeroGrad();
    coxLossFromPlan(net.risk(x, clinical), plan, { reduction: 'mean', ties: 'breslow' }).backward();
    opt.update();
  }));
  const infer = timeIt(() => noGrad(() => scope(() => {
    net.eval();
    net.risk(x, clinical).toFloat64Array();
  })));
  opt.dispose();
  net.dispose();
  x.dispose();
  clinical.dispose();
  return { train_step: train, inference: infer };
}

async function trainedModel(dir: string): Promise<{ model: string; image: string }> {
  const cohort = join(dir, 'cohort');
  const run = (args: string[]): void => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  };
  const model = process.env.BENCH_MODEL;
  // With a given model, only a few new radiographs are needed (the first one is scored).
  run(['synth', '--out', cohort, '--patients', model ? '8' : '120', '--size', '1024', '--seed', '5']);
  const coco = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as { images: { file_name: string }[] };
  const image = join(cohort, coco.images[0].file_name);
  if (model) return { model, image };
  run(['landmarks', 'train', '--cohort', cohort, '--out', join(dir, 'landmarks'), '--size', '128', '--epochs', '12']);
  await preprocessCohort({ cohort, keypoints: join(cohort, 'keypoints.json'), out: join(dir, 'patches'), variants: ['patches'], params: { size: size, patchSize: size } });
  run(['imagesurv', 'fit', '--cohort', cohort, '--variant', join(dir, 'patches'), '--out', join(dir, 'model'), '--epochs', '2', '--validation', '0.3', '--landmarks', join(dir, 'landmarks')]);
  return { model: join(dir, 'model'), image };
}

/** The same radiograph at 3000 x 2500 (rows x columns). */
async function bigDicom(image: string, out: string): Promise<void> {
  const r = await readRadiograph(image);
  const rows = 3000, columns = 2500;
  const pixels = noGrad(() => scope(() => F.interpolate(tensor(r.pixels, [1, 1, r.rows, r.columns]), { size: [rows, columns], mode: 'bilinear', alignCorners: false }).round().clamp(0, 4095).toFloat32Array()));
  writeDicom(out, { pixels: Uint16Array.from(pixels), rows, columns, bitsStored: 12, pixelSpacing: [(r.pixelSpacing?.[0] ?? 0.34) * (r.rows / rows), (r.pixelSpacing?.[1] ?? 0.34) * (r.columns / columns)] });
}

function predictFresh(model: string, image: string): { wall_ms: number; cpu_ms: number } {
  const walls: number[] = [], cpus: number[] = [];
  for (let i = 0; i < 3; i++) {
    const w0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, cli, 'predict', '--model', model, '--image', image, '--age', '62', '--sex', 'F', '--bmi', '24', '--glucocorticoid', '0', '--secondary_osteoporosis', '0', '--json'], { encoding: 'utf8' });
    walls.push(performance.now() - w0);
    if (r.status !== 0) throw new Error(r.stderr);
    const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpus.push(1000 * (u + s));
  }
  return { wall_ms: median(walls), cpu_ms: median(cpus) };
}

/** Wall and CPU time (median of `n`) of an async step, in this process. */
async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<{ wall_ms: number; cpu_ms: number }> {
  const walls: number[] = [], cpus: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await fn();
    walls.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall_ms: median(walls), cpu_ms: median(cpus) };
}

/** spinesurv against PyTorch on the same network, in alternating blocks. */
function networkComparison(): Record<string, unknown> {
  // Blocks alternate between the two sides (and which goes first), so that load from other processes
  // hits both alike; each side's figure is the median of its block medians.
  const oursBlocks: Timings[] = [];
  const theirsBlocks: (Timings & { torch: string })[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const runPy = (): void => {
      const py = spawnSync('/usr/bin/python3', [join(root, 'bench', 'image-model', 'torch_patch_model.py'), String(width), String(size), String(batch), String(threads), String(steps)], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`PyTorch reference failed (needs Debian python3-torch and python3-torchvision): ${py.stderr}`);
      theirsBlocks.push(JSON.parse(py.stdout) as Timings & { torch: string });
    };
    if (b % 2 === 1) runPy();
    oursBlocks.push(spinesurvSteps());
    if (b % 2 === 0) runPy();
  }
  const ours = medianOfBlocks(oursBlocks);
  const theirs = { ...medianOfBlocks(theirsBlocks), torch: theirsBlocks[0].torch };
  return {
    machine: { threads, libtorch: runtimeInfo().version, node: process.version, note: 'measured on a shared 2-core machine: wall times include contention; CPU times beside them' },
    network: { encoder: `resnet18 width ${width}`, input: `${batch} patients x 5 patches x ${size} px`, clinical: 5, loss: 'mean Cox NLL (no tied times in the batch)', optimizer: 'AdamW' },
    spinesurv: ours,
    pytorch: theirs,
    ratio_wall: { train_step: ours.train_step.median_wall_ms / theirs.train_step.median_wall_ms, inference: ours.inference.median_wall_ms / theirs.inference.median_wall_ms },
    ratio_cpu: { train_step: ours.train_step.median_cpu_ms / theirs.train_step.median_cpu_ms, inference: ours.inference.median_cpu_ms / theirs.inference.median_cpu_ms },
  };
}

/** `predict --image` through the whole chain, from a fresh process and in-process after loading. */
async function predictTimings(dir: string): Promise<Record<string, unknown>> {
  const { model, image } = await trainedModel(dir);
  const big = join(dir, 'big.dcm');
  await bigDicom(image, big);
  // The one scoring core that predict --image, score and serve run.
  const scorer = await RadiographScorer.load(model);
  const detector = scorer.detector!;
  const clinical = { age: 62, sex: 'F', bmi: 24, glucocorticoid: 0, secondary_osteoporosis: 0 };
  const scored = async (request: ScoreRequest) => {
    const outcome = await scorer.score(request);
    if (outcome.status !== 'scored') throw new Error(`${request.where}: ${outcome.reason}`);
  };
  try {
    await scored({ where: image, path: image, clinical }); // first call: lazy initialisation
    const radiograph = await readRadiograph(image);
    const found = detector.predict([radiograph])[0];
    return {
      chain: "read, keypoints from the model's detector, quality flags, patches (the stored preprocess parameters), risk, survival at 1/3/5 y",
      model,
      fresh_process_1024: predictFresh(model, image),
      fresh_process_3000x2500: predictFresh(model, big),
      in_process_after_load_1024: await timeAsync(5, () => scored({ where: image, path: image, clinical })),
      in_process_after_load_3000x2500: await timeAsync(3, () => scored({ where: big, path: big, clinical })),
      in_process_parts_1024: {
        read: await timeAsync(5, () => readRadiograph(image)),
        detector: await timeAsync(5, async () => detector.predict([radiograph])),
        preprocess_and_score_given_keypoints: await timeAsync(5, () => scored({ where: image, image: radiograph, keypoints: { keypoints: found.keypoints, flags: [] }, clinical })),
      },
    };
  } finally {
    scorer.dispose();
  }
}

// BENCH_PART=predict re-measures only the predict timings and keeps the network comparison of the
// last full run in results.json.
const resultsPath = join(root, 'bench', 'image-model', 'results.json');
const dir = mkdtempSync(join(tmpdir(), 'spinesurv-bench-image-'));
try {
  const onlyPredict = process.env.BENCH_PART === 'predict';
  const network = onlyPredict ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : networkComparison();
  const results = { ...network, predict: await predictTimings(dir) };
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
