/**
 * Keypoint-detector benchmark: the cpu profile's HRNet, one training step (batch 16 at 256 px, MSE on
 * heatmaps, Adam) and one inference (one image), through spinesurv (this process) and through PyTorch
 * from Python (/usr/bin/python3 with Debian's python3-torch, the same libtorch build), same threads.
 * The two sides run in interleaved blocks (alternating which goes first) so that load from other
 * processes hits both alike; each side's figure is its median block. Ratios are spinesurv / PyTorch
 * (below 1: spinesurv is faster), of wall time and of process CPU time.
 * Also: end-to-end inference of one 1024 px radiograph (read + reduce + letterbox + network + DARK +
 * mapping back) after the model is loaded, the figure the issue asks to keep under 150 ms.
 *
 *   npm run -s bench:landmarks -- [--threads N] [--rounds 5] [--steps 2] [--json]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { F, noGrad, rand, randn, scope, setNumThreads, getNumThreads } from '../../src/torch/index.js';
import { HRNet } from '../../src/landmarks/hrnet.js';
import { detectorAdam } from '../../src/landmarks/detector-optimizer.js';
import { cpuProfile } from '../../src/landmarks/profiles.js';
import { LandmarkModel, modelJson } from '../../src/landmarks/model.js';
import { encodeDicom, readRadiograph } from '../../src/imaging/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../../src/stats/descriptive.js';
import { log } from '../../src/util/progress.js';

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '2' },
    infer: { type: 'string', default: '10' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const threads = Number(opts.threads), rounds = Number(opts.rounds), steps = Number(opts.steps), inferSteps = Number(opts.infer);
setNumThreads(threads);
const profile = cpuProfile();
const batch = profile.batchSize, size = profile.inputSize;

const net = new HRNet(profile.network);
const adam = detectorAdam(net, 1e-3);
const x = randn([batch, 1, size, size]);
const target = rand([batch, 5, size / 4, size / 4]);
const one = randn([1, 1, size, size]);

function trainStep(): void {
  net.train();
  scope(() => {
    adam.zeroGrad();
    const loss = F.mseLoss(net.forward(x), target);
    loss.backward();
    adam.update();
  });
}
function inferStep(): void {
  net.eval();
  scope(() => noGrad(() => net.forward(one)));
}

function timeOurs(fn: () => void, k: number): [number, number] {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < k; i++) fn();
  const c = process.cpuUsage(c0);
  return [(performance.now() - w0) / 1000, (c.user + c.system) / 1e6];
}

const script = fileURLToPath(new URL('../../../bench/landmarks/pytorch_hrnet.py', import.meta.url));
const py = spawn(opts.python!, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
async function ask(command: string): Promise<[number, number]> {
  py.stdin.write(command + '\n');
  const { value } = await lines.next();
  const [w, c] = String(value).split(' ').map(Number);
  return [w!, c!];
}
py.stdin.write(JSON.stringify({ ...profile.network, threads, batch, size }) + '\n');
await lines.next();

// Warm-up both sides.
timeOurs(trainStep, 2);
timeOurs(inferStep, 3);
await ask('train 2');
await ask('infer 3');
const blocks = { oursTrain: [] as number[][], theirsTrain: [] as number[][], oursInfer: [] as number[][], theirsInfer: [] as number[][] };
for (let r = 0; r < rounds; r++) {
  log(`bench:landmarks: round ${r + 1}/${rounds}`);
  if (r % 2 === 0) {
    blocks.oursTrain.push(timeOurs(trainStep, steps));
    blocks.theirsTrain.push(await ask(`train ${steps}`));
  } else {
    blocks.theirsTrain.push(await ask(`train ${steps}`));
    blocks.oursTrain.push(timeOurs(trainStep, steps));
  }
  blocks.oursInfer.push(timeOurs(inferStep, inferSteps));
  blocks.theirsInfer.push(await ask(`infer ${inferSteps}`));
}
py.stdin.write('quit\n');
const per = (b: number[][], k: number, i: number): number => median(Float64Array.from(b.map((v) => v[i]! / k)));

// End to end on one 1024 px radiograph (819 x 1024, 12-bit DICOM file): read, reduce, letterbox,
// network, DARK, map back, flags. The model is already loaded.
const model = new LandmarkModel(net, modelJson(profile, {}));
const stored = new Uint16Array(819 * 1024).map((_, i) => ((i * 2654435761) >>> 20) & 4095);
const scratch = mkdtempSync(join(tmpdir(), 'bench-landmarks-'));
const file = join(scratch, 'radiograph.dcm');
writeFileSync(file, encodeDicom({ pixels: stored, rows: 1024, columns: 819, bitsStored: 12, pixelSpacing: [0.34, 0.34] }));
model.predict([await readRadiograph(file)]);
const e2e: number[] = [];
const e2eCpu: number[] = [];
for (let i = 0; i < 10; i++) {
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  model.predict([await readRadiograph(file)]);
  const c = process.cpuUsage(c0);
  e2e.push((performance.now() - w0) / 1000);
  e2eCpu.push((c.user + c.system) / 1e6);
}
rmSync(scratch, { recursive: true, force: true });

const result = {
  threads: getNumThreads(), batch, size, width: profile.network.width,
  train_step_s: { spinesurv: per(blocks.oursTrain, steps, 0), pytorch: per(blocks.theirsTrain, steps, 0) },
  train_step_cpu_s: { spinesurv: per(blocks.oursTrain, steps, 1), pytorch: per(blocks.theirsTrain, steps, 1) },
  infer_s: { spinesurv: per(blocks.oursInfer, inferSteps, 0), pytorch: per(blocks.theirsInfer, inferSteps, 0) },
  infer_cpu_s: { spinesurv: per(blocks.oursInfer, inferSteps, 1), pytorch: per(blocks.theirsInfer, inferSteps, 1) },
  train_ratio: 0, train_cpu_ratio: 0, infer_ratio: 0, infer_cpu_ratio: 0,
  radiograph_1024_ms_median: 1000 * median(Float64Array.from(e2e)),
  radiograph_1024_cpu_ms_median: 1000 * median(Float64Array.from(e2eCpu)),
  load_average_1min: loadavg()[0],
};
result.train_ratio = result.train_step_s.spinesurv / result.train_step_s.pytorch;
result.train_cpu_ratio = result.train_step_cpu_s.spinesurv / result.train_step_cpu_s.pytorch;
result.infer_ratio = result.infer_s.spinesurv / result.infer_s.pytorch;
result.infer_cpu_ratio = result.infer_cpu_s.spinesurv / result.infer_cpu_s.pytorch;
model.dispose();
adam.dispose();
if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
else {
  const f = (v: number): string => v.toFixed(3);
  process.stdout.write(`HRNet cpu profile (W${result.width}, ${size} px, batch ${batch}), ${result.threads} threads\n`);
  process.stdout.write(`train step: spinesurv ${f(result.train_step_s.spinesurv)} s, PyTorch ${f(result.train_step_s.pytorch)} s, ratio ${f(result.train_ratio)} (CPU time ratio ${f(result.train_cpu_ratio)})\n`);
  process.stdout.write(`inference (1 image): spinesurv ${f(1000 * result.infer_s.spinesurv)} ms, PyTorch ${f(1000 * result.infer_s.pytorch)} ms, ratio ${f(result.infer_ratio)} (CPU time ratio ${f(result.infer_cpu_ratio)})\n`);
  process.stdout.write(`one 1024 px DICOM end to end after load (read + predict): ${result.radiograph_1024_ms_median.toFixed(1)} ms wall, ${result.radiograph_1024_cpu_ms_median.toFixed(1)} ms CPU (medians of 10; load average ${result.load_average_1min.toFixed(1)})\n`);
}
