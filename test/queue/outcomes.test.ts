/**
 * What happens to each kind of radiograph, in both modes (worker threads here, and the shared queue):
 * a transient failure is retried with backoff and then scored; one that fails every attempt is
 * dead-lettered with its reason (and tried again by a re-run); a flagged one and a non-DICOM file get
 * final results at once; the same bytes under a second name are scored once. The risks are compared
 * with the test double called directly, one file at a time (the reference: no pool, no queue, no store).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, doubleModule, makeCohort, makeDoubleModel, runWithDouble, startRedis, tempDir, waitFor } from './helpers.js';
import type { ScorerModule } from '../../src/queue/index.js';

interface CsvRow {
  file: string;
  sha256: string;
  status: string;
  risk: string;
  reason: string;
  flags: string;
  attempts: string;
}

function readResults(store: string): CsvRow[] {
  const [head, ...lines] = readFileSync(join(store, 'results.csv'), 'utf8').trim().split('\n');
  const header = head.split(',');
  // reasons hold commas inside quotes: split on commas outside quotes
  return lines.map((line) => {
    const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
    return Object.fromEntries(header.map((h, i) => [h, cells[i]])) as unknown as CsvRow;
  });
}

function setUp(dir: string): { images: string; model: string; logFile: string; reference: Promise<Map<string, number>> } {
  const cohort = join(dir, 'cohort');
  const source = makeCohort(cohort, 12, 64);
  const images = join(dir, 'images');
  mkdirSync(images);
  for (const f of readdirSync(source)) copyFileSync(join(source, f), join(images, f));
  copyFileSync(join(source, 'SYN0001.dcm'), join(images, 'SYN0001-again.dcm'));
  writeFileSync(join(images, 'notes.dcm'), 'not a radiograph\n');
  const counters = join(dir, 'counters');
  mkdirSync(counters);
  const logFile = join(dir, 'tries.log');
  const model = makeDoubleModel(dir, {
    transient: { 'SYN0003.dcm': 2 },
    always: ['SYN0004.dcm'],
    flag: ['SYN0005.dcm'],
    counterDir: counters,
    logFile,
  });
  // The reference: the double itself (without its failure injections) on each file, in this process.
  const plain = join(dir, 'plain-model');
  mkdirSync(plain);
  copyFileSync(join(model, 'model.json'), join(plain, 'model.json'));
  const reference = (async () => {
    const double = (await import(doubleModule)) as ScorerModule;
    const scorer = await double.loadScorer(plain);
    const out = new Map<string, number>();
    for (const f of readdirSync(source)) {
      const r = await scorer.score(f, readFileSync(join(source, f)));
      out.set(f, r.risk!);
    }
    scorer.dispose();
    return out;
  })();
  return { images, model, logFile, reference };
}

async function checkOutcomes(store: string, logFile: string, reference: Map<string, number>, deadLetterReason: RegExp): Promise<void> {
  const rows = readResults(store);
  assert.equal(rows.length, 14);
  const by = (name: string): CsvRow => rows.find((r) => r.file.endsWith(`/${name}`))!;
  for (const [file, risk] of reference) {
    const r = by(file);
    if (file === 'SYN0004.dcm' || file === 'SYN0005.dcm') continue;
    assert.equal(r.status, 'scored', file);
    assert.equal(Number(r.risk), risk, file);
  }
  assert.equal(by('SYN0003.dcm').attempts, '3', 'two transient failures, then scored');
  assert.equal(by('SYN0004.dcm').status, 'failed');
  assert.match(by('SYN0004.dcm').reason, deadLetterReason);
  assert.equal(by('SYN0005.dcm').status, 'flagged');
  assert.equal(by('SYN0005.dcm').flags, 'L3 out of order');
  assert.equal(by('notes.dcm').status, 'failed');
  assert.match(by('notes.dcm').reason, /notes\.dcm/);
  assert.equal(by('notes.dcm').attempts, '1', 'bad input is not retried');
  // The same bytes under another name: the same result, scored once.
  assert.equal(by('SYN0001-again.dcm').sha256, by('SYN0001.dcm').sha256);
  assert.equal(by('SYN0001-again.dcm').risk, by('SYN0001.dcm').risk);
  const tries = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]);
  assert.equal(tries.filter((t) => t.startsWith('SYN0001')).length, 1);
  assert.equal(tries.filter((t) => t === 'SYN0004.dcm').length, 3);
}

test('worker threads: retries, dead letters, flags, bad files, duplicates; a re-run scores only the dead-lettered image again', { timeout: 120_000 }, async () => {
  const dir = tempDir('queue-outcomes');
  try {
    const { images, model, logFile, reference } = setUp(dir);
    const store = join(dir, 'store');
    const args = ['score', '--model', model, '--images', images, '--out', store, '--workers', '2', '--attempts', '3', '--backoff-ms', '50', '--json'];
    const first = runWithDouble(args);
    assert.equal(await first.exited, 0, first.stderr());
    const s1 = JSON.parse(first.stdout()) as Record<string, number>;
    assert.deepEqual([s1.images, s1.distinct, s1.this_run, s1.scored, s1.flagged, s1.failed, s1.dead_lettered], [14, 13, 13, 11, 1, 2, 1]);
    await checkOutcomes(store, logFile, await reference, /^failed 3 attempts: simulated engine failure on SYN0004\.dcm$/);

    const again = runWithDouble(args);
    assert.equal(await again.exited, 0, again.stderr());
    const s2 = JSON.parse(again.stdout()) as Record<string, number>;
    assert.deepEqual([s2.already_stored, s2.this_run, s2.scored, s2.dead_lettered], [12, 1, 11, 1]);
    const tries = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]);
    assert.equal(tries.filter((t) => t === 'SYN0004.dcm').length, 6, 'only the dead-lettered image was tried again');
    assert.equal(tries.length, 13 + 2 + 2 + 3, 'nothing else was scored again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shared queue: the same outcomes; the dead-letter list in `queue status` names the image and the reason', { timeout: 120_000 }, async () => {
  const dir = tempDir('queue-outcomes-q');
  const redis = await startRedis();
  const worker = { current: null as ReturnType<typeof runWithDouble> | null };
  try {
    const { images, model, logFile, reference } = setUp(dir);
    worker.current = runWithDouble(['worker', '--queue', redis.url, '--model', model, '--concurrency', '2', '--name', 'w1']);
    await waitFor(() => worker.current!.stderr().includes('queue spinesurv-'), 60_000, 'the worker to start');
    const store = join(dir, 'store');
    const args = ['score', '--model', model, '--images', images, '--out', store, '--queue', redis.url, '--attempts', '3', '--backoff-ms', '50', '--sweep-seconds', '1', '--json'];
    const first = runWithDouble(args);
    assert.equal(await first.exited, 0, first.stderr());
    const s1 = JSON.parse(first.stdout()) as Record<string, number>;
    assert.deepEqual([s1.images, s1.distinct, s1.this_run, s1.scored, s1.flagged, s1.failed, s1.dead_lettered], [14, 13, 13, 11, 1, 2, 1]);
    await checkOutcomes(store, logFile, await reference, /^dead-lettered after 3 attempts: simulated engine failure on SYN0004\.dcm$/);

    const status = spawnSync(process.execPath, [bin, 'queue', 'status', '--queue', redis.url, '--json'], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    const q = (JSON.parse(status.stdout) as { queues: Array<{ counts: Record<string, number>; workers: string[]; dead_letter: Array<{ file: string; reason: string; attempts: number }> }> }).queues[0];
    assert.equal(q.counts.completed, 12);
    assert.equal(q.counts.failed, 1);
    assert.deepEqual(q.workers, ['w1']);
    assert.equal(q.dead_letter.length, 1);
    assert.match(q.dead_letter[0].file, /SYN0004\.dcm$/);
    assert.equal(q.dead_letter[0].reason, 'simulated engine failure on SYN0004.dcm');
    assert.equal(q.dead_letter[0].attempts, 3);
    const text = spawnSync(process.execPath, [bin, 'queue', 'status', '--queue', redis.url], { encoding: 'utf8' });
    assert.match(text.stdout, /12 completed, 1 dead-lettered; 1 worker\(s\): w1/);
    assert.match(text.stdout, /dead: .*SYN0004\.dcm .* after 3 attempt\(s\): simulated engine failure on SYN0004\.dcm/);

    // A re-run takes the dead-lettered image off the list and tries it again; nothing else.
    const again = runWithDouble(args);
    assert.equal(await again.exited, 0, again.stderr());
    const s2 = JSON.parse(again.stdout()) as Record<string, number>;
    assert.deepEqual([s2.already_stored, s2.this_run, s2.dead_lettered], [12, 1, 1]);
    const tries = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]);
    assert.equal(tries.filter((t) => t === 'SYN0004.dcm').length, 6);
  } finally {
    if (worker.current && worker.current.child.exitCode === null) {
      worker.current.child.kill('SIGTERM');
      await worker.current.exited;
    }
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
