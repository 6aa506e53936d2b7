/**
 * Engine benchmark: the same ResNet-18 (1 input channel, 128x128, batch 16, 2 classes, Adam) trained
 * and run for inference through spinesurv (this process) and through PyTorch from Python (Debian's
 * /usr/bin/python3 with python3-torch: the same libtorch 1.13 build), with the same thread count.
 * After warm-up, each side makes --steps (20) timed training steps and as many inference passes, in
 * --rounds (10) blocks interleaved with the other side's (alternating which goes first) so that load
 * from other processes on a shared machine hits both alike; each side's figure is its median block.
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
  async time(kind: 'train' | 'infer', n: number): Promise<number> {
    const answer = this.next();
    this.child.stdin.write(`${kind} ${n}\n`);
    return (await answer).ms_per_step as number;
  }
  close(): void {
    this.child.stdin.end('quit\n');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
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
    train(n: number): number {
      model.train();
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        scope(() => {
          optimizer.zeroGrad();
          const loss = F.crossEntropy(model.forward(x), y);
          loss.backward();
          optimizer.step();
          return loss.item();
        });
      }
      return (performance.now() - start) / n;
    },
    infer(n: number): number {
      model.eval();
      const start = performance.now();
      for (let i = 0; i < n; i++) scope(() => noGrad(() => model.forward(x).sum().item()));
      return (performance.now() - start) / n;
    },
  };

  log(`warm-up: ${warmup} steps each`);
  ours.train(warmup);
  await python.time('train', warmup);
  ours.infer(warmup);
  await python.time('infer', warmup);

  const times = { oursTrain: [] as number[], pyTrain: [] as number[], oursInfer: [] as number[], pyInfer: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const oursFirst = r % 2 === 0;
    for (const kind of ['train', 'infer'] as const) {
      let a: number, b: number;
      if (oursFirst) {
        a = ours[kind](stepsPerRound);
        b = await python.time(kind, stepsPerRound);
      } else {
        b = await python.time(kind, stepsPerRound);
        a = ours[kind](stepsPerRound);
      }
      (kind === 'train' ? times.oursTrain : times.oursInfer).push(a);
      (kind === 'train' ? times.pyTrain : times.pyInfer).push(b);
      log(`round ${r + 1}/${rounds} ${kind}: spinesurv ${a.toFixed(1)} ms/step, pytorch ${b.toFixed(1)} ms/step (ratio ${(a / b).toFixed(3)})`);
    }
  }
  python.close();
  const result = {
    model: 'resnet18',
    spinesurv_ms_per_step: round(median(times.oursTrain)),
    pytorch_ms_per_step: round(median(times.pyTrain)),
    train_ratio: round(median(times.oursTrain) / median(times.pyTrain), 3),
    infer_ratio: round(median(times.oursInfer) / median(times.pyInfer), 3),
    spinesurv_infer_ms_per_step: round(median(times.oursInfer)),
    pytorch_infer_ms_per_step: round(median(times.pyInfer)),
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
      `  train (Adam step)  spinesurv ${result.spinesurv_ms_per_step} ms  pytorch ${result.pytorch_ms_per_step} ms  ratio ${result.train_ratio}\n` +
      `  inference          spinesurv ${result.spinesurv_infer_ms_per_step} ms  pytorch ${result.pytorch_infer_ms_per_step} ms  ratio ${result.infer_ratio}\n`,
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
