/**
 * The result store's idempotent write, by hand-worked cases, for both stores (SQLite, and PostgreSQL on
 * a throwaway local server): the first final result for (sha256, model version) is the one kept,
 * however often the same job is delivered; a dead-lettered (retryable) row is replaced by a later
 * result; two model versions keep separate rows. Rows are read back with a second, independent client
 * (better-sqlite3 on the file; psql on the server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openPostgresStore, openSqliteStore, type ResultStore, type StoredResult } from '../../src/queue/index.js';
import { sha256File } from '../../src/queue/hash-file.js';
import { startPostgres, tempDir } from './helpers.js';

const base: StoredResult = {
  sha256: 'a'.repeat(64),
  modelVersion: 'v1',
  file: 'one.dcm',
  status: 'scored',
  risk: 0.25,
  surv: { '1': 0.99, '3': 0.9 },
  flags: [],
  reason: null,
  worker: 'w1',
  attempts: 1,
  retryable: false,
  scoredAt: '2026-01-01T00:00:00.000Z',
};

const expectedRows = [
  'a'.repeat(64) + '|v1|scored|0.25',
  'b'.repeat(64) + '|v1|flagged|',
  'c'.repeat(64) + '|v1|scored|2',
  'a'.repeat(64) + '|v2|scored|9',
];

async function handWorkedCases(store: ResultStore): Promise<void> {
  assert.equal(await store.put(base), true);
  assert.equal(await store.put({ ...base, risk: 0.5, worker: 'w2', attempts: 2 }), false);
  assert.equal((await store.get(base.sha256, 'v1'))?.risk, 0.25);
  assert.equal((await store.get(base.sha256, 'v1'))?.worker, 'w1');
  assert.deepEqual((await store.get(base.sha256, 'v1'))?.surv, { '1': 0.99, '3': 0.9 });
  // A flagged result is final too.
  const flagged = { ...base, sha256: 'b'.repeat(64), status: 'flagged' as const, risk: null, surv: null, flags: ['L3 out of order'], reason: 'flagged' };
  assert.equal(await store.put(flagged), true);
  assert.equal(await store.put({ ...flagged, status: 'scored', risk: 1, flags: [] }), false);
  assert.deepEqual((await store.get(flagged.sha256, 'v1'))?.flags, ['L3 out of order']);
  // Dead-lettered: replaced by the next result, and not counted as final until then.
  const dead = { ...base, sha256: 'c'.repeat(64), status: 'failed' as const, risk: null, surv: null, reason: 'dead', retryable: true };
  assert.equal(await store.put(dead), true);
  assert.deepEqual([...(await store.finalShas('v1'))].sort(), ['a'.repeat(64), 'b'.repeat(64)]);
  assert.equal(await store.put({ ...dead, status: 'scored', risk: 2, reason: null, retryable: false }), true);
  assert.equal((await store.get(dead.sha256, 'v1'))?.risk, 2);
  assert.equal((await store.finalShas('v1')).size, 3);
  // Another model version: its own row for the same image.
  assert.equal(await store.put({ ...base, modelVersion: 'v2', risk: 9 }), true);
  assert.equal(await store.count('v1'), 3);
  assert.equal(await store.count('v2'), 1);
  assert.equal((await store.resultsFor('v1')).size, 3);
  // The same result written by many at once (workers racing): still one row.
  const racing = { ...base, sha256: 'd'.repeat(64), modelVersion: 'v3' };
  const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => store.put({ ...racing, worker: `w${i}` })));
  assert.equal(wins.filter((w) => w).length, 1);
  assert.equal(await store.count('v3'), 1);
}

test('SQLite store: a result delivered twice is stored once; the first final result wins', async () => {
  const dir = tempDir('store');
  try {
    const store = await openSqliteStore(join(dir, 'r.sqlite'));
    await handWorkedCases(store);
    await store.close();
    const db = new Database(join(dir, 'r.sqlite'), { readonly: true });
    const rows = db.prepare("SELECT sha256, model_version, status, risk FROM results WHERE model_version <> 'v3' ORDER BY model_version, sha256").all() as Array<Record<string, unknown>>;
    db.close();
    assert.deepEqual(rows.map((r) => `${r.sha256}|${r.model_version}|${r.status}|${r.risk ?? ''}`), expectedRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL store: the same cases on a local server, read back with psql', { timeout: 120_000 }, async () => {
  const server = startPostgres();
  try {
    const store = await openPostgresStore(server.url);
    await handWorkedCases(store);
    await store.close();
    const psql = spawnSync('psql', [server.url, '-At', '-c', "SELECT sha256, model_version, status, risk FROM results WHERE model_version <> 'v3' ORDER BY model_version, sha256"], { encoding: 'utf8' });
    assert.equal(psql.status, 0, psql.stderr);
    assert.deepEqual(psql.stdout.trim().split('\n'), expectedRows);
    // A second process opening the same store (the table exists) works, and sees the rows.
    const again = await openPostgresStore(server.url);
    assert.equal(await again.count('v1'), 3);
    await again.close();
  } finally {
    server.stop();
  }
});

test('a PostgreSQL URL where no server answers: exit-2 error naming the URL without its password', async () => {
  await assert.rejects(openPostgresStore('postgres://u:secret@127.0.0.1:1/db'), (error: Error) => {
    assert.equal(error.name, 'InputError');
    assert.match(error.message, /^--store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: cannot connect \(.*ECONNREFUSED/);
    assert.doesNotMatch(error.message, /secret/);
    return true;
  });
});

test("image keys are the file's sha256, as coreutils sha256sum computes it", async () => {
  const dir = tempDir('sha');
  try {
    const file = join(dir, 'x.bin');
    writeFileSync(file, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251)));
    const ref = spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.equal(await sha256File(file), ref);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
