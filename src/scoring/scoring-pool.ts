/**
 * The one pool of scoring threads, for every face that scores radiographs in the background: `serve`
 * (the scoring core with its input checks and heatmaps) and `score` / `worker` (the queue's scorer,
 * loaded by the model's kind). Each face brings its thread module (a file that calls
 * runScoringThread, scoring-thread.ts); the pool starts the threads, hands out jobs and replaces a
 * thread that dies.
 *
 * Each thread loads its scorer once and takes one job at a time, so a slow image never holds up the
 * others, and the main thread stays free for I/O: DICOM and HTTP, the store, a queue worker's lock
 * renewals (a lock not renewed because the event loop was busy in libtorch would make the queue hand
 * the job to another worker for nothing). Jobs wait for a free thread in the order they were given.
 *
 * Each thread runs libtorch on its share of the cores (compute-mode.ts): one intra-op thread in the
 * reproducible mode, so a result is the same whichever thread made it and however many there are.
 *
 * A thread that dies (a crash in native code) fails the job it held with a TransientScoreError, and a
 * new thread takes its place.
 */
import { Worker } from 'node:worker_threads';
import { intraOpThreadsPerJob } from '../torch/compute-mode.js';
import { InputError } from '../util/errors.js';

/** What every thread of a pool is started with (its workerData). */
export interface ThreadData<Setup> {
  setup: Setup;
  /** libtorch intra-op threads for this thread's scorer. */
  engineThreads: number;
}

export interface ThreadJob<Job> {
  id: number;
  job: Job;
}

export type ThreadReply<Result> =
  | { type: 'ready' }
  | { type: 'load-error'; message: string; input: boolean }
  | { type: 'result'; id: number; result: Result }
  | { type: 'error'; id: number; message: string };

export interface PoolOptions<Setup> {
  /** The thread module: it calls runScoringThread with the loader of its scorer. */
  thread: URL;
  /** Given to every thread's loader (plain data: it is copied into each thread). */
  setup: Setup;
  threads: number;
  /**
   * Engine (libtorch intra-op) threads per scoring thread; by default the compute mode's share
   * (intraOpThreadsPerJob): 1 in the reproducible mode. Throughput comes from one scoring thread per
   * core: measured with bench:score, one scoring thread with two engine threads ran at a tenth of the
   * rate of two scoring threads on a busy 2-core machine (OpenMP threads spin while they wait for a core).
   */
  engineThreads?: number;
}

/** A failure that is not the input's fault (the engine, the thread): worth trying again. */
export class TransientScoreError extends Error {
  override name = 'TransientScoreError';
}

interface Busy<Result> {
  id: number;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

interface Slot<Result> {
  worker: Worker;
  index: number;
  busy: Busy<Result> | null;
}

export class ScoringPool<Job, Result> {
  private readonly slots: Slot<Result>[] = [];
  /** Every thread started and not yet exited, loading ones included (close stops them all). */
  private readonly workers = new Set<Worker>();
  private readonly idle: Slot<Result>[] = [];
  private readonly waiting: Array<{ take: (slot: Slot<Result>) => void; reject: (error: Error) => void }> = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly thread: URL, private readonly data: ThreadData<unknown>) {}

  /** Starts the threads and waits until every one has loaded its scorer (an InputError if the model cannot be used). */
  static async start<Job, Result, Setup = unknown>(options: PoolOptions<Setup>): Promise<ScoringPool<Job, Result>> {
    const threads = Math.max(1, Math.floor(options.threads));
    const engineThreads = Math.max(1, Math.floor(options.engineThreads ?? intraOpThreadsPerJob(threads)));
    const pool = new ScoringPool<Job, Result>(options.thread, { setup: options.setup, engineThreads });
    try {
      await Promise.all(Array.from({ length: threads }, (_, i) => pool.spawn(i)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(this.thread, { workerData: this.data });
      this.workers.add(worker);
      const slot: Slot<Result> = { worker, index, busy: null };
      let ready = false;
      let crash: string | null = null;
      worker.on('message', (reply: ThreadReply<Result>) => {
        if (reply.type === 'ready') {
          ready = true;
          if (this.closed) {
            void worker.terminate();
            return resolve();
          }
          this.slots[index] = slot;
          this.release(slot);
          resolve();
        } else if (reply.type === 'load-error') {
          // A model that cannot load will not load on a retry either: no restart.
          void worker.terminate();
          reject(reply.input ? new InputError(reply.message) : new Error(`cannot load the model: ${reply.message}`));
        } else if (slot.busy !== null && slot.busy.id === reply.id) {
          const busy = slot.busy;
          slot.busy = null;
          this.release(slot);
          if (reply.type === 'result') busy.resolve(reply.result);
          else busy.reject(new TransientScoreError(reply.message));
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        // An uncaught error ends the thread: 'exit' follows and fails the job with this reason.
        else crash = error.message;
      });
      worker.on('exit', (code) => {
        this.workers.delete(worker);
        if (!ready) {
          reject(new Error(`scoring thread exited with code ${code} before the model was loaded`));
          return;
        }
        if (this.closed) return;
        const busy = slot.busy;
        slot.busy = null;
        const idle = this.idle.indexOf(slot);
        if (idle >= 0) this.idle.splice(idle, 1);
        busy?.reject(new TransientScoreError(`scoring thread ${index + 1} stopped (${crash ?? `exit code ${code}`})`));
        // Replaced; the job it held is the caller's to retry.
        this.spawn(index).catch(() => undefined);
      });
    });
  }

  private release(slot: Slot<Result>): void {
    const next = this.waiting.shift();
    if (next) next.take(slot);
    else this.idle.push(slot);
  }

  private acquire(): Promise<Slot<Result>> {
    const slot = this.idle.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((take, reject) => this.waiting.push({ take, reject }));
  }

  /**
   * Runs one job on the next free thread. Resolves with the thread's result and which thread (1..size)
   * made it; rejects with a TransientScoreError for a failure worth retrying.
   */
  async run(job: Job): Promise<{ result: Result; thread: number }> {
    if (this.closed) throw new Error('the scoring pool is closed');
    const slot = await this.acquire();
    const id = this.nextId++;
    const result = await new Promise<Result>((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      slot.worker.postMessage({ id, job } satisfies ThreadJob<Job>);
    });
    return { result, thread: slot.index + 1 };
  }

  /** Stops every thread; a job still waiting or running is rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the scoring pool is closed');
    for (const w of this.waiting.splice(0)) w.reject(stopped);
    for (const s of this.slots) {
      if (s === undefined) continue;
      s.busy?.reject(stopped);
      s.busy = null;
    }
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}
