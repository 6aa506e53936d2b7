/**
 * `npm run bench:score`: radiographs per second of `spinesurv score`, in-process (worker threads: the
 * default, one per core, and one thread) and on the shared queue with one and with two `spinesurv
 * worker` processes (one scoring thread with one engine thread each: one core each), on the same images with the same model. Issue 16's
 * target: two workers at least 1.6x one on this 2-core machine.
 *
 * Every configuration runs the real CLI in fresh processes with a fresh store (and a fresh private
 * redis-server for the queue runs); workers are started and have loaded the model before `score`
 * submits, and the rate is the one `score` reports: radiographs scored / seconds from the first one
 * handed out to the last result stored. CPU time (user + system) of every process and the load average
 * are reported beside it: on a shared machine the wall time includes waiting for a core.
 *
 *   node dist/bench/score/run.js --model DIR [--images DIR | --count 60 --size 1024] [--out F.json]
 *   (--launcher FILE runs another CLI entry with the same arguments, e.g. the tests' double, to check the harness)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Timed {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; cpuSeconds: number }>;
}

/** CPU seconds (user + system, all threads) a running process has used so far, from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs the CLI; `score` under /usr/bin/time (its last stderr line is "CPU <user> <sys>"), a worker
 * directly (its CPU is read from /proc before it is stopped, and a signal reaches the worker itself).
 */
function cli(launcher: string, args: string[]): Timed {
  const timed = args[0] === 'score';
  const child = timed
    ? spawn('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; cpuSeconds: number }>((resolve) =>
    child.on('close', (code) => {
      const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(err);
      resolve({ code, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 40000);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

interface Row {
  config: string;
  processes: number;
  threads_each: number;
  radiographs: number;
  per_second: number;
  wall_seconds: number;
  cpu_seconds: number;
  load_before: number;
}

async function measure(launcher: string, dir: string, model: string, images: string, config: string, workers: number | null, threads: number | null): Promise<Row> {
  const store = join(dir, `store-${config}`);
  const load = loadavg()[0];
  const args = ['score', '--model', model, '--images', images, '--out', store, '--json'];
  if (workers === null) {
    const r = cli(launcher, [...args, '--workers', String(threads)]);
    const { code, cpuSeconds } = await r.done;
    if (code !== 0) throw new Error(`${config}: ${r.stderr()}`);
    const s = JSON.parse(r.stdout()) as { this_run: number; per_second: number; seconds: number };
    return { config, processes: 1, threads_each: threads!, radiographs: s.this_run, per_second: s.per_second, wall_seconds: s.seconds, cpu_seconds: cpuSeconds, load_before: load };
  }
  const redis = await startRedis();
  const ws: Timed[] = [];
  try {
    for (let w = 0; w < workers; w++) ws.push(cli(launcher, ['worker', '--queue', redis.url, '--model', model, '--concurrency', '1', '--engine-threads', '1', '--name', `bench-${w + 1}`]));
    const deadline = Date.now() + 300_000;
    while (!ws.every((w) => w.stderr().includes('queue spinesurv-'))) {
      if (Date.now() > deadline || ws.some((w) => w.child.exitCode !== null)) throw new Error(`${config}: workers did not start: ${ws.map((w) => w.stderr()).join('\n')}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const r = cli(launcher, [...args, '--queue', redis.url, '--sweep-seconds', '30']);
    const { code, cpuSeconds } = await r.done;
    if (code !== 0) throw new Error(`${config}: ${r.stderr()}`);
    const workerCpu = ws.reduce((a, w) => a + cpuSecondsOf(w.child.pid!), 0);
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.done));
    const s = JSON.parse(r.stdout()) as { this_run: number; per_second: number; seconds: number };
    return { config, processes: workers, threads_each: 1, radiographs: s.this_run, per_second: s.per_second, wall_seconds: s.seconds, cpu_seconds: cpuSeconds + workerCpu, load_before: load };
  } finally {
    for (const w of ws) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    redis.stop();
  }
}

async function main(): Promise<void> {
  const model = option('model');
  if (model === undefined) throw new Error('bench:score needs --model DIR (an image model folder; see docs/scale-out.md)');
  const launcher = option('launcher') ?? bin;
  const dir = mkdtempSync(join(tmpdir(), 'bench-score-'));
  try {
    let images = option('images');
    if (images === undefined) {
      const count = option('count') ?? '60';
      const size = option('size') ?? '1024';
      const r = spawnSync(process.execPath, [bin, 'synth', '--out', join(dir, 'cohort'), '--patients', count, '--size', size, '--seed', '3'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
      images = join(dir, 'cohort', 'images');
    }
    const cores = availableParallelism();
    const rows: Row[] = [];
    rows.push(await measure(launcher, dir, model, images, 'threads-default', null, cores));
    rows.push(await measure(launcher, dir, model, images, 'threads-1', null, 1));
    rows.push(await measure(launcher, dir, model, images, 'queue-1-worker', 1, null));
    rows.push(await measure(launcher, dir, model, images, 'queue-2-workers', 2, null));
    const one = rows.find((r) => r.config === 'queue-1-worker')!.per_second;
    const two = rows.find((r) => r.config === 'queue-2-workers')!.per_second;
    const report = { cores, load_after: loadavg()[0], speedup_2_vs_1_workers: two / one, target: 1.6, rows };
    process.stderr.write(`bench:score on ${cores} cores (load average before each run in the table)\n`);
    for (const r of rows) {
      process.stderr.write(`  ${r.config.padEnd(16)} ${r.per_second.toFixed(2).padStart(7)} radiographs/s  (${r.radiographs} in ${r.wall_seconds.toFixed(1)} s wall, ${r.cpu_seconds.toFixed(1)} s CPU, load ${r.load_before.toFixed(1)})\n`);
    }
    process.stderr.write(`  2 workers / 1 worker: ${(two / one).toFixed(2)}x (target >= 1.6)\n`);
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    const out = option('out');
    if (out !== undefined) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:score: ${(error as Error).message}\n`);
  process.exit(1);
});
