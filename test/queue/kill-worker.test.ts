/**
 * Issue 16's done-when: a private redis-server, two worker processes and 300 synthetic radiographs; the
 * worker holding one radiograph is killed with SIGKILL in the middle of the run. Every radiograph must
 * end up scored exactly once (one row each in the store and in results.csv), and the killed worker's job
 * must have been retried, and finished, by the other worker.
 *
 * The scorer is the test double (fixtures/double-scorer.ts); which image the killed worker holds is
 * fixed by making the first try of SYN0100.dcm hang, so the test knows what was in flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bin, makeCohort, makeDoubleModel, runWithDouble, startRedis, tempDir, waitFor } from './helpers.js';

test('two queue workers, one killed with kill -9 mid-run: 300 radiographs scored exactly once, the lost job retried by the other worker', { timeout: 240_000 }, async () => {
  const dir = tempDir('queue-kill');
  const redis = await startRedis();
  const workers: ReturnType<typeof runWithDouble>[] = [];
  try {
    const images = makeCohort(join(dir, 'cohort'), 300, 96);
    const counters = join(dir, 'counters');
    mkdirSync(counters);
    const logFile = join(dir, 'tries.log');
    const model = makeDoubleModel(dir, { delayMs: 10, hangOnce: { 'SYN0100.dcm': 120_000 }, counterDir: counters, logFile });
    const names = ['worker-a', 'worker-b'];
    for (const name of names) {
      workers.push(runWithDouble(['worker', '--queue', redis.url, '--model', model, '--concurrency', '1', '--lock-seconds', '3', '--name', name]));
    }
    await waitFor(() => workers.every((w) => w.stderr().includes('queue spinesurv-')), 60_000, 'both workers to start');
    const store = join(dir, 'store');
    const score = runWithDouble(['score', '--model', model, '--images', images, '--out', store, '--queue', redis.url, '--json']);

    // The worker that took SYN0100.dcm first is hung on it: that is the one to kill, job in hand.
    const hungMarker = join(counters, 'SYN0100.dcm.hung');
    await waitFor(() => {
      try {
        return readFileSync(hungMarker, 'utf8') !== '';
      } catch {
        return false;
      }
    }, 120_000, 'a worker to take SYN0100.dcm');
    const hungPid = Number(readFileSync(hungMarker, 'utf8'));
    const victim = workers.findIndex((w) => w.child.pid === hungPid);
    assert.ok(victim >= 0, 'the hung image is held by one of the two workers');
    const survivor = 1 - victim;
    const triesBeforeKill = readFileSync(logFile, 'utf8').trim().split('\n').length;
    assert.ok(triesBeforeKill > 30 && triesBeforeKill < 290, `killed mid-run (${triesBeforeKill} of 300 tried)`);
    workers[victim].child.kill('SIGKILL');
    assert.equal(await workers[victim].exited, null, 'killed by a signal');

    const code = await score.exited;
    assert.equal(code, 0, score.stderr());
    const summary = JSON.parse(score.stdout()) as { images: number; scored: number; failed: number; dead_lettered: number };
    assert.equal(summary.images, 300);
    assert.equal(summary.scored, 300);
    assert.equal(summary.failed, 0);
    assert.equal(summary.dead_lettered, 0);

    // Exactly once: one row per image in results.csv and in the store, every one scored.
    const lines = readFileSync(join(store, 'results.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.equal(rows.length, 300);
    const col = (name: string): number => header.indexOf(name);
    assert.equal(new Set(rows.map((r) => r[col('sha256')])).size, 300);
    assert.equal(new Set(rows.map((r) => r[col('file')])).size, 300);
    assert.ok(rows.every((r) => r[col('status')] === 'scored' && Number.isFinite(Number(r[col('risk')]))));
    const db = new Database(join(store, 'results.sqlite'), { readonly: true });
    try {
      const count = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT sha256) AS d FROM results').get() as { n: number; d: number };
      assert.deepEqual(count, { n: 300, d: 300 });
      // The killed worker's job was retried and finished by the other one.
      const hung = rows.find((r) => r[col('file')].endsWith('SYN0100.dcm'))!;
      const stored = db.prepare('SELECT worker, attempts FROM results WHERE sha256 = ?').get(hung[col('sha256')]) as { worker: string; attempts: number };
      assert.equal(stored.worker, names[survivor]);
      assert.ok(stored.attempts >= 2, `attempts ${stored.attempts}`);
      const perWorker = db.prepare('SELECT worker, COUNT(*) AS n FROM results GROUP BY worker').all() as Array<{ worker: string; n: number }>;
      assert.ok(perWorker.find((w) => w.worker === names[victim])!.n > 10, 'the killed worker had scored some before it died');
    } finally {
      db.close();
    }
    const tries = readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => l.endsWith(' SYN0100.dcm'));
    assert.deepEqual(tries.map((l) => Number(l.split(' ')[0])), [hungPid, workers[survivor].child.pid]);

    // The queue agrees: everything completed, nothing dead-lettered, the survivor still connected.
    const status = spawnSync(process.execPath, [bin, 'queue', 'status', '--queue', redis.url, '--json'], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    const q = (JSON.parse(status.stdout) as { queues: Array<{ counts: Record<string, number>; workers: string[]; dead_letter: unknown[] }> }).queues;
    assert.equal(q.length, 1);
    assert.equal(q[0].counts.completed, 300);
    assert.equal(q[0].counts.failed, 0);
    assert.deepEqual(q[0].dead_letter, []);
    assert.ok(q[0].workers.includes(names[survivor]), JSON.stringify(q[0].workers));
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
