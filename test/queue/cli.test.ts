/**
 * The command line of score, worker and queue status: bad usage and bad input exit 2 with one line
 * naming the URL, folder or file; an interrupted `score` (kill -9) resumes from its store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bin, makeCohort, makeDoubleModel, runWithDouble, tempDir, waitFor, withDouble } from './helpers.js';

function run(args: string[], script = bin): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${stderr}`);
  return lines[0];
}

test('bad usage and bad input: exit 2 with one line naming what is wrong', { timeout: 120_000 }, () => {
  const dir = tempDir('queue-cli');
  try {
    const images = makeCohort(join(dir, 'cohort'), 3, 64);
    const model = makeDoubleModel(dir);
    // A queue URL where nothing listens (port 1 on loopback), for all three commands.
    const dead = 'redis://127.0.0.1:1';
    for (const [script, args] of [
      [withDouble, ['score', '--model', model, '--images', images, '--out', join(dir, 's1'), '--queue', dead]],
      [withDouble, ['worker', '--queue', dead, '--model', model]],
      [bin, ['worker', '--queue', dead, '--model', model]],
      [bin, ['queue', 'status', '--queue', dead]],
    ] as const) {
      const r = run([...args], script);
      assert.equal(r.status, 2, r.stderr);
      assert.match(oneLine(r.stderr), /--queue redis:\/\/127\.0\.0\.1:1: cannot reach the queue \(ECONNREFUSED\)/);
    }
    let r = run(['score', '--model', model, '--images', images, '--out', join(dir, 's1'), '--queue', 'http://127.0.0.1:6379']);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /--queue http:\/\/127\.0\.0\.1:6379: expected a redis:\/\/ or rediss:\/\/ URL/);
    r = run(['score', '--model', model, '--images', images, '--list', join(dir, 'l.txt'), '--out', join(dir, 's1')]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /give one of --images DIR or --list LIST\.txt/);
    r = run(['score', '--model', model, '--images', join(dir, 'nowhere'), '--out', join(dir, 's1')]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /nowhere: no such folder/);
    writeFileSync(join(dir, 'empty.txt'), '# nothing\n\n');
    r = run(['score', '--model', model, '--list', join(dir, 'empty.txt'), '--out', join(dir, 's1')]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /empty\.txt: lists no files/);
    // A folder that is not a store is never written into.
    const foreign = join(dir, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    r = run(['score', '--model', model, '--images', images, '--out', foreign], withDouble);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /mine: is not empty and was not written by spinesurv/);
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
    // The built-in loader: a Cox model cannot read radiographs.
    r = run(['score', '--model', model, '--images', images, '--out', join(dir, 's2')]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /model: a "coxph" model cannot score radiographs/);
    r = run(['score', '--model', model, '--images', images, '--out', images]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /is also an input of this command/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score killed with kill -9 part-way resumes from its store: nothing scored twice that was stored, every image ends with one result', { timeout: 120_000 }, async () => {
  const dir = tempDir('queue-resume');
  try {
    const images = makeCohort(join(dir, 'cohort'), 60, 64);
    const logFile = join(dir, 'tries.log');
    const model = makeDoubleModel(dir, { delayMs: 40, logFile });
    const store = join(dir, 'store');
    const args = ['score', '--model', model, '--images', images, '--out', store, '--workers', '2', '--json'];
    const first = runWithDouble(args);
    const tries = (): number => {
      try {
        return readFileSync(logFile, 'utf8').trim().split('\n').length;
      } catch {
        return 0;
      }
    };
    await waitFor(() => tries() >= 20, 60_000, '20 radiographs tried');
    first.child.kill('SIGKILL');
    await first.exited;
    const db = new Database(join(store, 'results.sqlite'), { readonly: true });
    const storedBefore = (db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
    db.close();
    const triedBefore = tries();
    assert.ok(storedBefore >= 15 && storedBefore < 60, `stored before the kill: ${storedBefore}`);

    const second = runWithDouble(args);
    assert.equal(await second.exited, 0, second.stderr());
    const s = JSON.parse(second.stdout()) as Record<string, number>;
    assert.equal(s.already_stored, storedBefore);
    assert.equal(s.this_run, 60 - storedBefore);
    assert.equal(s.scored, 60);
    // Only what was in flight at the kill (at most one per thread) was tried twice.
    assert.equal(tries(), triedBefore + (60 - storedBefore));
    assert.ok(triedBefore - storedBefore <= 2, `in flight at the kill: ${triedBefore - storedBefore}`);
    const rows = readFileSync(join(store, 'results.csv'), 'utf8').trim().split('\n').slice(1);
    assert.equal(rows.length, 60);
    assert.equal(new Set(rows.map((r) => r.split(',')[1])).size, 60);

    // --force starts afresh; without it the store is reopened.
    const forced = runWithDouble([...args, '--force']);
    assert.equal(await forced.exited, 0, forced.stderr());
    assert.equal((JSON.parse(forced.stdout()) as Record<string, number>).this_run, 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
