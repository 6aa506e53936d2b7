/**
 * The result store's idempotent write, by hand-worked cases: the first final result for (sha256, model
 * version) is the one kept, however often the same job is delivered; a dead-lettered (retryable) row
 * is replaced by a later result; two model versions keep separate rows. The SQLite file is read back
 * with a second, independent connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, type StoredResult } from '../../src/queue/index.js';
import { tempDir } from './helpers.js';

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

test('a result delivered twice is stored once; the first final result wins', () => {
  const dir = tempDir('store');
  try {
    const store = openSqliteStore(join(dir, 'r.sqlite'));
    assert.equal(store.put(base), true);
    assert.equal(store.put({ ...base, risk: 0.5, worker: 'w2', attempts: 2 }), false);
    assert.equal(store.get(base.sha256, 'v1')?.risk, 0.25);
    assert.equal(store.get(base.sha256, 'v1')?.worker, 'w1');
    assert.deepEqual(store.get(base.sha256, 'v1')?.surv, { '1': 0.99, '3': 0.9 });
    // A flagged result is final too.
    const flagged = { ...base, sha256: 'b'.repeat(64), status: 'flagged' as const, risk: null, surv: null, flags: ['L3 out of order'], reason: 'flagged' };
    assert.equal(store.put(flagged), true);
    assert.equal(store.put({ ...flagged, status: 'scored', risk: 1, flags: [] }), false);
    assert.deepEqual(store.get(flagged.sha256, 'v1')?.flags, ['L3 out of order']);
    // Dead-lettered: replaced by the next result, and not counted as final until then.
    const dead = { ...base, sha256: 'c'.repeat(64), status: 'failed' as const, risk: null, surv: null, reason: 'dead', retryable: true };
    assert.equal(store.put(dead), true);
    assert.deepEqual([...store.finalShas('v1')].sort(), ['a'.repeat(64), 'b'.repeat(64)]);
    assert.equal(store.put({ ...dead, status: 'scored', risk: 2, reason: null, retryable: false }), true);
    assert.equal(store.get(dead.sha256, 'v1')?.risk, 2);
    assert.equal(store.finalShas('v1').size, 3);
    // Another model version: its own row for the same image.
    assert.equal(store.put({ ...base, modelVersion: 'v2', risk: 9 }), true);
    assert.equal(store.count('v1'), 3);
    assert.equal(store.count('v2'), 1);
    store.close();

    const db = new Database(join(dir, 'r.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT sha256, model_version, status, risk FROM results ORDER BY model_version, sha256').all();
    db.close();
    assert.deepEqual(rows, [
      { sha256: 'a'.repeat(64), model_version: 'v1', status: 'scored', risk: 0.25 },
      { sha256: 'b'.repeat(64), model_version: 'v1', status: 'flagged', risk: null },
      { sha256: 'c'.repeat(64), model_version: 'v1', status: 'scored', risk: 2 },
      { sha256: 'a'.repeat(64), model_version: 'v2', status: 'scored', risk: 9 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('image keys are the file\'s sha256, as coreutils sha256sum computes it', async () => {
  const { sha256File } = await import('../../src/queue/hash-file.js');
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
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
