/**
 * `npm run bench:serve`: issue 15's load check. Four dcmtk `storescu` clients at once send 400
 * synthetic radiographs (256 px) to a fresh `spinesurv serve` (its default SQLite store); every one
 * must be acknowledged, stored and scored. Reports
 *   - throughput: images/s acknowledged (first send to last ack) and images/s scored (first send to
 *     the last score);
 *   - latency from the C-STORE acknowledgement to the score: server-side (received_at is written just
 *     before the ack, scored_at when the score is committed) and as a client sees it on the worklist
 *     (GET /api/results polled every 250 ms: each image's first poll that shows it scored; up to one
 *     poll interval late);
 *   - CPU seconds (user + system) of the server and of the four storescu processes, and the load
 *     average, since on a shared machine the wall time includes waiting for a core.
 *
 *   node dist/bench/serve/run.js [--model DIR] [--count 400] [--clients 4] [--out F.json]
 * Without --model a tiny image model (and its keypoint detector) is trained first, as in the tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyImageModel } from '../../test/fixtures/tiny-image-model.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spinesurv ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
}


/** CPU seconds (user + system, all threads) a running process has used, from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i), hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

interface Result {
  sop_instance_uid: string;
  status: string;
  received_at: string;
  scored_at: string | null;
}

async function main(): Promise<void> {
  const count = Number(option('count') ?? 400);
  const clients = Number(option('clients') ?? 4);
  const out = option('out');
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-bench-serve-'));
  try {
    const model = option('model') ?? tinyImageModel(dir);
    cli(['synth', '--out', join(dir, 'send'), '--patients', String(count), '--size', '256', '--seed', '21']);
    const images = readdirSync(join(dir, 'send', 'images')).sort().map((f) => join(dir, 'send', 'images', f));

    const server = spawn(process.execPath, [bin, 'serve', '--model', model, '--store', join(dir, 'store'), '--dicom-port', '0', '--http-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    server.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    let m: RegExpExecArray | null = null;
    while ((m = /serve: dicom \S+:(\d+) .* http (http:\/\/\S+)/.exec(err)) === null) {
      if (server.exitCode !== null) throw new Error(`serve did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [port, url] = [m[1], m[2]];
    const cpuBefore = cpuSecondsOf(server.pid!);

    const seen = new Map<string, number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const list = (await (await fetch(`${url}/api/results`)).json()) as Result[];
        const now = Date.now();
        for (const r of list) if (r.status !== 'received' && !seen.has(r.sop_instance_uid)) seen.set(r.sop_instance_uid, now);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const start = Date.now();
    const sends = Array.from({ length: clients }, (_, c) => new Promise<{ ok: number; cpu: number; output: string }>((resolve) => {
      const files = images.filter((_, i) => i % clients === c);
      const child = spawn('/usr/bin/time', ['-f', 'CPU %U %S', 'storescu', '-v', '-aet', `BENCH${c + 1}`, '-aec', 'SPINESURV', '127.0.0.1', port, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      child.on('close', () => {
        const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(log);
        resolve({ ok: (log.match(/Received Store Response \(Success\)/g) ?? []).length, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, output: log });
      });
    }));
    const sent = await Promise.all(sends);
    const acked = sent.reduce((s, x) => s + x.ok, 0);
    if (acked !== count) throw new Error(`only ${acked} of ${count} acknowledged: ${sent.map((s) => s.output.slice(-500)).join('\n')}`);
    const deadline = Date.now() + 30 * 60_000;
    while (seen.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    polling = false;
    await poll;
    const results = (await (await fetch(`${url}/api/results`)).json()) as Result[];
    const serverCpu = cpuSecondsOf(server.pid!) - cpuBefore;
    server.kill('SIGTERM');
    await new Promise((r) => server.once('close', r));

    const final = results.filter((r) => r.status !== 'received');
    if (results.length !== count || final.length !== count) throw new Error(`${results.length} stored, ${final.length} scored of ${count}`);
    const received = results.map((r) => Date.parse(r.received_at));
    const scored = results.map((r) => Date.parse(r.scored_at!));
    const lastAck = Math.max(...received);
    const lastScore = Math.max(...scored);
    const serverSide = results.map((r) => (Date.parse(r.scored_at!) - Date.parse(r.received_at)) / 1000).sort((a, b) => a - b);
    const onWorklist = results.map((r) => (seen.get(r.sop_instance_uid)! - Date.parse(r.received_at)) / 1000).sort((a, b) => a - b);
    const report = {
      images: count,
      clients,
      statuses: Object.fromEntries(['scored', 'flagged', 'failed'].map((s) => [s, results.filter((r) => r.status === s).length])),
      stored_per_second: count / ((lastAck - start) / 1000),
      scored_per_second: count / ((lastScore - start) / 1000),
      wall_seconds: (lastScore - start) / 1000,
      ack_to_score_seconds: { median: quantile(serverSide, 0.5), p95: quantile(serverSide, 0.95) },
      ack_to_worklist_seconds: { median: quantile(onWorklist, 0.5), p95: quantile(onWorklist, 0.95), poll_interval: 0.25 },
      cpu_seconds: { server: serverCpu, storescu: sent.reduce((s, x) => s + x.cpu, 0) },
      cores: availableParallelism(),
      load_average_after: loadavg()[0],
    };
    console.log(JSON.stringify(report, null, 2));
    if (out !== undefined) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:serve: ${(error as Error).message}`);
  process.exit(1);
});
