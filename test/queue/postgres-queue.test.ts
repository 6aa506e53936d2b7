/**
 * The shared store: workers that write their results straight into PostgreSQL (as on several
 * machines), a submitter using the same database. Each image ends with one row; a second submitter
 * with its own STORE folder finds everything already scored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeCohort, makeDoubleModel, runWithDouble, startPostgres, startRedis, tempDir, waitFor } from './helpers.js';

test('workers writing into a shared PostgreSQL store: one row per image; a second submitter scores nothing again', { timeout: 180_000 }, async () => {
  const dir = tempDir('queue-pg');
  const redis = await startRedis();
  const pg = startPostgres();
  const workers: ReturnType<typeof runWithDouble>[] = [];
  try {
    const images = makeCohort(join(dir, 'cohort'), 40, 64);
    const logFile = join(dir, 'tries.log');
    const model = makeDoubleModel(dir, { delayMs: 10, logFile });
    for (const name of ['site-a', 'site-b']) {
      workers.push(runWithDouble(['worker', '--queue', redis.url, '--model', model, '--store', pg.url, '--concurrency', '1', '--name', name]));
    }
    await waitFor(() => workers.every((w) => w.stderr().includes('queue spinesurv-')), 60_000, 'both workers to start');
    const first = runWithDouble(['score', '--model', model, '--images', images, '--out', join(dir, 'store1'), '--store', pg.url, '--queue', redis.url, '--json']);
    assert.equal(await first.exited, 0, first.stderr());
    assert.equal((JSON.parse(first.stdout()) as Record<string, number>).scored, 40);
    const psql = spawnSync('psql', [pg.url, '-At', '-c', 'SELECT COUNT(*), COUNT(DISTINCT sha256), COUNT(DISTINCT worker) FROM results'], { encoding: 'utf8' });
    assert.equal(psql.status, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), '40|40|2');

    const second = runWithDouble(['score', '--model', model, '--images', images, '--out', join(dir, 'store2'), '--store', pg.url, '--queue', redis.url, '--json']);
    assert.equal(await second.exited, 0, second.stderr());
    const s2 = JSON.parse(second.stdout()) as Record<string, number>;
    assert.deepEqual([s2.already_stored, s2.this_run, s2.scored], [40, 0, 40]);
    assert.equal(readFileSync(logFile, 'utf8').trim().split('\n').length, 40, 'each image scored once in all');
    assert.equal(readFileSync(join(dir, 'store1', 'results.csv'), 'utf8'), readFileSync(join(dir, 'store2', 'results.csv'), 'utf8'));

    const bad = runWithDouble(['score', '--model', model, '--images', images, '--out', join(dir, 'store3'), '--store', pg.url, '--force']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /--force cannot discard a shared PostgreSQL store/);
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis.stop();
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
