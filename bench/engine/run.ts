/**
 * Engine benchmark: the same ResNet-18 (1 input channel, 128x128, batch 16, 2 classes, Adam) trained
 * and run for inference through spinesurv (this process) and through PyTorch from Python (Debian's
 * /usr/bin/python3 with python3-torch: the same libtorch 1.13 build), with the same thread count.
 * After warm-up, each side makes --steps (20) timed training steps and as many inference passes, in
 * --rounds (10) blocks interleaved with the other side's (alternating which goes first) so that load
 * from other processes on a shared machine hits both alike; each side's figure is its median block.
 * The ratios are of wall time; the *_cpu_ratio fields are of process CPU time (user + system, all
 * threads), which says more than wall time when other processes compete for the cores.
 *
 *   npm run -s bench:engine -- --json     one JSON line on stdout (progress on stderr)
 * Options: --threads N (default: all cores), --steps 20, --warmup 3, --rounds 10, --batch 16,
 *          --size 128, --width 64, --python /usr/bin/python3
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  Adam, F, manualSeed, noGrad, randint, randn, resnet18, runtimeInfo, scope, setNumThreads, getNumThreads,
} from '../../src/torch/index.js';
import { log } from '../../src/util/progress.js';
import { median } from '../../src/stats/descriptive.js';

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '16' },
    size: { type: 'string', default: '128' },
    width: { type: 'string', default: '64' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const int = (s: string | undefined, name: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench:engine: --${name} must be a positive integer, got ${s}`);
  return n;
};
const threads = opts.threads === undefined ? availableParallelism() : int(opts.threads, 'threads');
const steps = int(opts.steps, 'steps');
const warmup = int(opts.warmup, 'warmup');
const rounds = int(opts.rounds, 'rounds');
const batch = int(opts.batch, 'batch');
const size = int(opts.size, 'size');
if (steps % rounds !== 0) throw new Error(`bench:engine: --steps (${steps}) must be a multiple of --rounds (${rounds})`);
const stepsPerRound = steps / rounds;
const width = int(opts.width, 'width');

/** Milliseconds per step: wall clock, and CPU time of the whole process (user + system). */
interface Timing {
  wall: number;
  cpu: number;
}

function timed(n: number, body: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) body();
  const wall = (performance.now() - start) / n;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 / n };
}

/** The Python worker: one request line in, one JSON line out. */
class PythonWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];
  private stderr = '';
  constructor() {
    const script = fileURLToPath(new URL('../../../bench/engine/pytorch_resnet.py', import.meta.url));
    this.child = spawn(opts.python!, [script, String(threads), String(batch), String(size), String(width), '1'], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
    this.child.on('exit', (code) => {
      for (const resolve of this.pending.splice(0)) resolve(JSON.stringify({ error: `python exited with ${code}: ${this.stderr.trim()}` }));
    });
  }
  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.pending.push((line) => {
        const value = JSON.parse(line) as Record<string, unknown>;
        if (typeof value.error === 'string') reject(new Error(value.error));
        else resolve(value);
      });
    });
  }
  ready(): Promise<Record<string, unknown>> {
    return this.next();
  }
  async time(kind: 'train' | 'infer', n: number): Promise<Timing> {
    const answer = this.next();
    this.child.stdin.write(`${kind} ${n}\n`);
    const a = await answer;
    return { wall: a.ms_per_step as number, cpu: a.cpu_ms_per_step as number };
  }
  close(): void {
    this.child.stdin.end('quit\n');
  }
}

async function main(): Promise<void> {
  setNumThreads(threads);
  manualSeed(1);
  const python = new PythonWorker();
  const ready = await python.ready();
  log(`bench:engine: ResNet-18 (width ${width}), 1x${size}x${size}, batch ${batch}, ${threads} thread(s); spinesurv on libtorch ${runtimeInfo().version}, PyTorch ${String(ready.torch)} (${String(ready.threads)} thread(s))`);

  const model = resnet18({ inChannels: 1, width, numClasses: 2 });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([batch, 1, size, size]);
  const y = randint(0, 2, [batch]);
  const ours = {
    train(n: number): Timing {
      model.train();
      return timed(n, () => scope(() => {
        optimizer.zeroGrad();
        const loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss.item();
      }));
    },
    infer(n: number): Timing {
      model.eval();
      return timed(n, () => scope(() => noGrad(() => model.forward(x).sum().item())));
    },
  };

  log(`warm-up: ${warmup} steps each; then ${rounds} interleaved blocks of ${stepsPerRound} steps`);
  ours.train(warmup);
  await python.time('train', warmup);
  ours.infer(warmup);
  await python.time('infer', warmup);

  const times = { oursTrain: [] as Timing[], pyTrain: [] as Timing[], oursInfer: [] as Timing[], pyInfer: [] as Timing[] };
  for (let r = 0; r < rounds; r++) {
    const oursFirst = r % 2 === 0;
    for (const kind of ['train', 'infer'] as const) {
      let a: Timing, b: Timing;
      if (oursFirst) {
        a = ours[kind](stepsPerRound);
        b = await python.time(kind, stepsPerRound);
      } else {
        b = await python.time(kind, stepsPerRound);
        a = ours[kind](stepsPerRound);
      }
      (kind === 'train' ? times.oursTrain : times.oursInfer).push(a);
      (kind === 'train' ? times.pyTrain : times.pyInfer).push(b);
      log(`block ${r + 1}/${rounds} ${kind}: spinesurv ${a.wall.toFixed(1)} ms/step (cpu ${a.cpu.toFixed(1)}), ` +
        `pytorch ${b.wall.toFixed(1)} ms/step (cpu ${b.cpu.toFixed(1)}); ratio ${(a.wall / b.wall).toFixed(3)} (cpu ${(a.cpu / b.cpu).toFixed(3)})`);
    }
  }
  python.close();
  const wall = (ts: Timing[]) => median(ts.map((t) => t.wall));
  const cpu = (ts: Timing[]) => median(ts.map((t) => t.cpu));
  const result = {
    model: 'resnet18',
    spinesurv_ms_per_step: round(wall(times.oursTrain)),
    pytorch_ms_per_step: round(wall(times.pyTrain)),
    train_ratio: round(wall(times.oursTrain) / wall(times.pyTrain), 3),
    infer_ratio: round(wall(times.oursInfer) / wall(times.pyInfer), 3),
    spinesurv_infer_ms_per_step: round(wall(times.oursInfer)),
    pytorch_infer_ms_per_step: round(wall(times.pyInfer)),
    train_cpu_ratio: round(cpu(times.oursTrain) / cpu(times.pyTrain), 3),
    infer_cpu_ratio: round(cpu(times.oursInfer) / cpu(times.pyInfer), 3),
    threads: getNumThreads(),
    batch,
    image_size: size,
    steps,
    rounds,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    process.stdout.write(
      `ResNet-18, batch ${batch}, 1x${size}x${size}, ${result.threads} thread(s), median of ${rounds} blocks of ${stepsPerRound} steps\n` +
      `  train (Adam step)  spinesurv ${result.spinesurv_ms_per_step} ms  pytorch ${result.pytorch_ms_per_step} ms  ratio ${result.train_ratio} (cpu time ${result.train_cpu_ratio})\n` +
      `  inference          spinesurv ${result.spinesurv_infer_ms_per_step} ms  pytorch ${result.pytorch_infer_ms_per_step} ms  ratio ${result.infer_ratio} (cpu time ${result.infer_cpu_ratio})\n`,
    );
  }
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:engine: ${(error as Error).message}\n`);
  process.exit(1);
});
