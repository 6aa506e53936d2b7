/**
 * Issue 16's done-when with the real image model: a tiny image-only DeepSurv model with its keypoint
 * detector, both trained here in a temporary folder, scores 300 synthetic radiographs through
 * `spinesurv score --queue` and two `spinesurv worker` processes (the real CLI, no test double); one
 * worker is killed with kill -9 mid-run. Every radiograph ends with exactly one result, the jobs the
 * killed worker held are finished by the other worker, and every risk equals what `spinesurv predict
 * --image` gives for that file and what the in-process default (worker threads) stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { writeDicom } from '../../src/imaging/index.js';
import { modelVersion } from '../../src/models/model-version.js';
import { queueNameFor } from '../../src/queue/index.js';
import { bin, startRedis, tempDir, waitFor } from './helpers.js';
import { tinyImageModel } from '../fixtures/tiny-image-model.js';
import { spawn, type ChildProcess } from 'node:child_process';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spinesurv ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}


interface Proc {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

test('real image model: 300 radiographs, two queue workers, one killed with kill -9: one result each, the killed worker\'s job finished by the other, risks equal predict --image and the in-process default', { timeout: 600_000 }, async () => {
  const dir = tempDir('queue-image');
  const redis = await startRedis();
  const workers: Proc[] = [];
  try {
    const model = tinyImageModel(dir);
    cli(['synth', '--out', join(dir, 'archive'), '--patients', '300', '--size', '256', '--seed', '11']);
    const images = join(dir, 'archive', 'images');
    for (const name of ['worker-a', 'worker-b']) {
      workers.push(start(['worker', '--queue', redis.url, '--model', model, '--concurrency', '1', '--lock-seconds', '3', '--name', name]));
    }
    await waitFor(() => workers.every((w) => w.stderr().includes('queue spinesurv-')), 120_000, 'both workers to load the model');
    const store = join(dir, 'store');
    const score = start(['score', '--model', model, '--images', images, '--out', store, '--queue', redis.url, '--sweep-seconds', '2', '--json']);

    const queue = new Queue(queueNameFor(modelVersion(model)), { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    let held: string[] = [];
    try {
      await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 80, 300_000, '80 radiographs done');
      workers[0].child.kill('SIGKILL');
      await workers[0].exited;
      // The killed worker's lock outlives it for a few seconds: the jobs it still holds are the ones it lost.
      held = (await queue.getActive()).filter((j) => j.processedBy === 'worker-a').map((j) => String(j.id));
    } finally {
      await queue.close();
    }
    assert.ok(held.length >= 1, 'the killed worker held a job');

    assert.equal(await score.exited, 0, score.stderr());
    const summary = JSON.parse(score.stdout()) as { images: number; scored: number; flagged: number; failed: number };
    assert.equal(summary.images, 300);
    assert.equal(summary.scored + summary.flagged + summary.failed, 300);
    assert.ok(summary.failed <= 3, `failed ${summary.failed}`);
    assert.ok(summary.scored >= 200, `scored ${summary.scored} of 300 (the rest flagged by the tiny detector)`);

    const lines = readFileSync(join(store, 'results.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (n: string): number => header.indexOf(n);
    assert.equal(rows.length, 300);
    assert.equal(new Set(rows.map((r) => r[col('sha256')])).size, 300);
    const db = new Database(join(store, 'results.sqlite'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT sha256) AS d FROM results').get(), { n: 300, d: 300 });
      for (const sha of held) {
        const r = db.prepare('SELECT worker, attempts FROM results WHERE sha256 = ?').get(sha) as { worker: string; attempts: number };
        assert.equal(r.worker, 'worker-b', `job ${sha.slice(0, 12)} of the killed worker`);
        assert.ok(r.attempts >= 2);
      }
    } finally {
      db.close();
    }

    // The same numbers as predict --image on a few files, and as the in-process default on all.
    for (const r of rows.filter((x) => x[col('status')] === 'scored').slice(0, 3)) {
      const p = JSON.parse(cli(['predict', '--model', model, '--image', r[col('file')], '--json']).stdout) as { risk: number; surv: Record<string, number> };
      assert.equal(Number(r[col('risk')]), p.risk, r[col('file')]);
      assert.equal(Number(r[col('surv_3')]), p.surv['3']);
    }
    const local = cli(['score', '--model', model, '--images', images, '--out', join(dir, 'store-local'), '--json']);
    assert.equal((JSON.parse(local.stdout) as { scored: number }).scored, summary.scored);
    const localRows = readFileSync(join(dir, 'store-local', 'results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(localRows.map((r) => [r[col('file')], r[col('status')], r[col('risk')]]), rows.map((r) => [r[col('file')], r[col('status')], r[col('risk')]]));

    // What cannot be a lateral lumbar radiograph is flagged by the input checks, before the detector.
    const odd = join(dir, 'odd');
    mkdirSync(odd);
    writeDicom(join(odd, 'blank.dcm'), { pixels: new Uint16Array(256 * 205).fill(1000), rows: 256, columns: 205, bitsStored: 12, pixelSpacing: [1, 1] });
    cli(['score', '--model', model, '--images', odd, '--out', join(dir, 'store-odd'), '--json']);
    const [blank] = parse(readFileSync(join(dir, 'store-odd', 'results.csv')), { columns: true }) as Record<string, string>[];
    assert.deepEqual([blank.status, blank.risk, blank.flags], ['flagged', '', 'blank: every pixel has the value 1000']);
    assert.match(blank.reason, /blank\.dcm: not a lateral lumbar radiograph \(blank: every pixel has the value 1000\); not scored$/);
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
