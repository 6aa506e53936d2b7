/**
 * A Redis that goes away mid-run: the server is killed while two workers are scoring and started
 * again on the same port with nothing in it (no persistence: the worst case, every job forgotten).
 * The workers must wait and resume rather than exit, `score` must resubmit what the queue forgot, and
 * every radiograph must end with exactly one result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeCohort, makeDoubleModel, runWithDouble, startRedis, tempDir, waitFor } from './helpers.js';

test('Redis killed and restarted empty mid-run: workers wait and resume, nothing is lost, every image has one result', { timeout: 240_000 }, async () => {
  const dir = tempDir('queue-restart');
  let redis = await startRedis();
  const workers: ReturnType<typeof runWithDouble>[] = [];
  try {
    const images = makeCohort(join(dir, 'cohort'), 120, 64);
    const logFile = join(dir, 'tries.log');
    const model = makeDoubleModel(dir, { delayMs: 40, logFile });
    for (const name of ['worker-a', 'worker-b']) {
      workers.push(runWithDouble(['worker', '--queue', redis.url, '--model', model, '--concurrency', '1', '--lock-seconds', '3', '--name', name]));
    }
    await waitFor(() => workers.every((w) => w.stderr().includes('queue spinesurv-')), 60_000, 'both workers to start');
    const store = join(dir, 'store');
    const score = runWithDouble(['score', '--model', model, '--images', images, '--out', store, '--queue', redis.url, '--sweep-seconds', '1', '--json']);
    const tries = (): number => {
      try {
        return readFileSync(logFile, 'utf8').trim().split('\n').length;
      } catch {
        return 0;
      }
    };
    await waitFor(() => tries() >= 30, 120_000, '30 radiographs tried');
    const port = redis.port;
    await redis.stop();
    const triesAtOutage = tries();
    assert.ok(triesAtOutage < 110, `stopped mid-run (${triesAtOutage} of 120 tried)`);
    await waitFor(() => workers.every((w) => w.stderr().includes('queue unreachable')), 30_000, 'workers to notice the outage');
    await new Promise((r) => setTimeout(r, 1500));
    for (const w of workers) assert.equal(w.child.exitCode, null, `a worker exited during the outage: ${w.stderr()}`);
    redis = await startRedis(port);

    assert.equal(await score.exited, 0, score.stderr());
    const summary = JSON.parse(score.stdout()) as { images: number; scored: number; failed: number };
    assert.deepEqual([summary.images, summary.scored, summary.failed], [120, 120, 0]);
    assert.match(score.stderr(), /unknown to the queue \(was Redis restarted\?\); submitting them again/);
    for (const w of workers) {
      assert.equal(w.child.exitCode, null, 'workers still running');
      assert.match(w.stderr(), /queue back; resuming/);
    }
    const rows = readFileSync(join(store, 'results.csv'), 'utf8').trim().split('\n').slice(1);
    assert.equal(rows.length, 120);
    assert.ok(rows.every((r) => r.split(',')[2] === 'scored'));
    const db = new Database(join(store, 'results.sqlite'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT sha256) AS d FROM results').get(), { n: 120, d: 120 });
    } finally {
      db.close();
    }
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
