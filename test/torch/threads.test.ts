// Tensors in worker_threads: each thread has its own handle table, so several workers and the main
// thread can make and free tensors at the same time with correct results, each counts only its own
// live tensors, and a handle sent to another thread is refused there instead of naming another tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { native } from '../../src/torch/native.js';
import { tensor } from '../../src/torch/index.js';
import { work } from './thread-worker.js';

const workerFile = new URL('./thread-worker.js', import.meta.url);

function ask<T>(worker: Worker, message: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (m: T) => {
      worker.off('error', onError);
      resolve(m);
    });
    worker.postMessage(message);
  });
}

type WorkResult = { ok: boolean; mismatches: number; liveAtStart: number; liveHeld: number; liveAtEnd: number };

test('four workers and the main thread make and free tensors at once: right values, each counts its own', async () => {
  const workers = Array.from({ length: 4 }, () => new Worker(workerFile));
  try {
    // The main thread holds tensors of its own throughout; no worker may count them.
    const mainHeld = [tensor([1, 2]), tensor([3, 4]), tensor([5, 6]), tensor([7, 8]), tensor([9, 10])];
    const rounds = 1500;
    const pending = workers.map((w, i) => ask<WorkResult>(w, { op: 'work', seed: 11 + i, rounds }));
    // Interleave the main thread's own work with the workers' (their messages arrive meanwhile).
    const mainResults = [];
    for (let k = 0; k < 5; k++) {
      mainResults.push(work(100 + k, 300, 2));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(pending);
    for (const [i, r] of results.entries()) {
      assert.equal(r.mismatches, 0, `worker ${i}: ${r.mismatches} results differ from JavaScript's arithmetic`);
      assert.equal(r.liveAtStart, 0, `worker ${i} counted tensors it did not make`);
      assert.equal(r.liveHeld, 3, `worker ${i} holds 3 tensors`);
      assert.equal(r.liveAtEnd, 0, `worker ${i} freed all`);
    }
    for (const r of mainResults) {
      assert.equal(r.mismatches, 0);
      assert.equal(r.liveHeld - r.liveAtStart, 2);
      assert.equal(r.liveAtEnd, r.liveAtStart);
    }
    assert.ok(mainResults[0]!.liveAtStart >= mainHeld.length);
    for (const t of mainHeld) t.dispose();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test("a handle sent to another thread is refused there, both ways, and the owner's tensor is untouched", async () => {
  const worker = new Worker(workerFile);
  try {
    const { handle } = await ask<{ handle: number }>(worker, { op: 'handle' });
    // The worker's tensor is live, but not the main thread's to use.
    assert.throws(() => native.sum(handle), /belongs to another thread/);
    assert.throws(() => native.isDisposed(handle), /belongs to another thread/);
    assert.throws(() => native.dispose(handle), /belongs to another thread/);
    const mine = tensor([4, 5, 6]);
    const { error } = await ask<{ error: string | null }>(worker, { op: 'use', handle: mine.handle });
    assert.match(error ?? 'no error', /belongs to another thread/);
    assert.deepEqual(mine.toArray(), [4, 5, 6]);
    mine.dispose();
    // The worker's tensor survived the main thread's attempts on it.
    const again = await ask<{ handle: number }>(worker, { op: 'handle' });
    assert.equal(again.handle, handle);
    const { error: ownUse } = await ask<{ error: string | null }>(worker, { op: 'use', handle });
    assert.equal(ownUse, null);
  } finally {
    await worker.terminate();
  }
});

test('a worker that exits gives its table back (the table number in its handles is reused)', async () => {
  // A handle is generation * 2^30 + table * 2^22 + slot (native/src/tensor_handle.cc). At most 256
  // tables exist at once, so a finished worker's table must be freed or workers would soon fail to load.
  const tableOf = (handle: number) => Math.floor(handle / 2 ** 22) % 256;
  const workers: Worker[] = [];
  const start = async () => {
    const w = new Worker(workerFile);
    workers.push(w);
    return { worker: w, table: tableOf((await ask<{ handle: number }>(w, { op: 'handle' })).handle) };
  };
  try {
    const first = await start(); // one after the other: the lowest free number is taken at load
    const second = await start();
    const own = tensor([1]);
    assert.ok(first.table < second.table, `tables ${first.table} and ${second.table}`);
    assert.notEqual(first.table, tableOf(own.handle));
    own.dispose();
    await first.worker.terminate();
    const third = await start();
    assert.equal(third.table, first.table, "the exited worker's table number was not reused");
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
