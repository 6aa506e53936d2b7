/**
 * Decodes cohort images on worker threads while the main thread runs the engine, and hands them back
 * in row order (a bounded number in flight), so the output never depends on which worker was faster.
 */
import { Worker } from 'node:worker_threads';
import { decodeJob, type DecodeJob, type DecodeResult } from './decode.js';

export async function* decodeInOrder(jobs: DecodeJob[], workers: number, ahead = 2 * Math.max(1, workers) + 2): AsyncGenerator<DecodeResult> {
  if (workers <= 0) {
    for (const job of jobs) yield await decodeJob(job);
    return;
  }
  const pool: Worker[] = [];
  const idle: Worker[] = [];
  const waiting: { job: DecodeJob; resolve: (r: DecodeResult) => void; reject: (e: Error) => void }[] = [];
  const pending = new Map<Worker, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void }>();
  const dispatch = (): void => {
    while (idle.length > 0 && waiting.length > 0) {
      const worker = idle.pop() as Worker;
      const { job, resolve, reject } = waiting.shift()!;
      pending.set(worker, { resolve, reject });
      worker.postMessage(job);
    }
  };
  for (let w = 0; w < Math.min(workers, jobs.length); w++) {
    const worker = new Worker(new URL('./decode-worker.js', import.meta.url));
    worker.on('message', (result: DecodeResult) => {
      const p = pending.get(worker);
      pending.delete(worker);
      idle.push(worker);
      p?.resolve(result);
      dispatch();
    });
    worker.on('error', (error) => {
      const p = pending.get(worker);
      pending.delete(worker);
      p?.reject(error);
    });
    pool.push(worker);
    idle.push(worker);
  }
  const submit = (job: DecodeJob): Promise<DecodeResult> =>
    new Promise((resolve, reject) => {
      waiting.push({ job, resolve, reject });
      dispatch();
    });
  const inFlight: Promise<DecodeResult>[] = [];
  let next = 0;
  try {
    while (next < jobs.length || inFlight.length > 0) {
      while (next < jobs.length && inFlight.length < ahead) {
        const promise = submit(jobs[next++]);
        promise.catch(() => undefined); // awaited in turn below; this only stops an early exit leaving it unhandled
        inFlight.push(promise);
      }
      yield await (inFlight.shift() as Promise<DecodeResult>);
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
