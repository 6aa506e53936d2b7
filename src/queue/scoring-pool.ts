/**
 * Worker threads that score radiographs: the default, nothing to install. Each thread loads the model
 * once and takes one radiograph at a time, so a slow image never holds up the others. The main thread
 * stays free for I/O: the store, the progress line, and a queue worker's lock renewals (a lock that is
 * not renewed because the event loop was busy in libtorch would make the queue hand the job to another
 * worker for nothing).
 *
 * A thread that dies (a crash in native code) fails its radiograph as transient and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { DEFAULT_SCORER_MODULE, type ScoreResult } from './scorer.js';

export interface ThreadSetup {
  modelDir: string;
  scorerModule: string;
  engineThreads: number;
}

export interface ThreadRequest {
  id: number;
  file: string;
  sha256: string;
}

export type ThreadReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string; input: boolean }
  | { type: 'result'; id: number; result: ScoreResult }
  | { type: 'error'; id: number; message: string };

export interface PoolOptions {
  modelDir: string;
  threads: number;
  /** URL of a module exporting loadScorer (tests); the built-in one by default. */
  scorerModule?: string;
  /**
   * Engine (libtorch intra-op) threads per scoring thread; 1 by default. Throughput comes from one
   * scoring thread per core: measured with bench:score, one scoring thread with two engine threads ran
   * at a tenth of the rate of two scoring threads on a busy 2-core machine (OpenMP threads spin while
   * they wait for a core).
   */
  engineThreads?: number;
}

/** A transient failure: worth trying again. */
export class TransientScoreError extends Error {
  override name = 'TransientScoreError';
}

interface Slot {
  worker: Worker;
  index: number;
  busy: { id: number; resolve: (r: ScoreResult) => void; reject: (e: Error) => void } | null;
}

export class ScoringPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly setup: ThreadSetup) {}

  /** Starts the threads and waits until every one has loaded the model (an InputError if the model cannot be used). */
  static async start(options: PoolOptions): Promise<ScoringPool> {
    const threads = Math.max(1, Math.floor(options.threads));
    const pool = new ScoringPool({
      modelDir: options.modelDir,
      scorerModule: options.scorerModule ?? DEFAULT_SCORER_MODULE,
      engineThreads: Math.max(1, Math.floor(options.engineThreads ?? 1)),
    });
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
      const worker = new Worker(new URL('./score-thread.js', import.meta.url), { workerData: this.setup });
      const slot: Slot = { worker, index, busy: null };
      let ready = false;
      worker.on('message', (reply: ThreadReply) => {
        if (reply.type === 'ready') {
          ready = true;
          this.slots[index] = slot;
          this.release(slot);
          resolve();
        } else if (reply.type === 'load-error') {
          const error = reply.input ? new InputError(reply.message) : new Error(`cannot load the model: ${reply.message}`);
          void worker.terminate();
          reject(error);
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
      });
      worker.on('exit', (code) => {
        if (!ready) {
          reject(new Error(`scoring thread exited with code ${code} before the model was loaded`));
          return;
        }
        if (this.closed) return;
        const busy = slot.busy;
        slot.busy = null;
        busy?.reject(new TransientScoreError(`scoring thread ${index + 1} stopped (exit code ${code})`));
        // Replace it; the radiograph it held is retried by the caller.
        this.spawn(index).catch(() => undefined);
      });
    });
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  private acquire(): Promise<Slot> {
    const slot = this.idle.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Scores one radiograph on the next free thread. Resolves with a final result; rejects with a
   * TransientScoreError for a failure worth retrying.
   */
  async score(file: string, sha256: string): Promise<{ result: ScoreResult; thread: number }> {
    if (this.closed) throw new Error('the scoring pool is closed');
    const slot = await this.acquire();
    const id = this.nextId++;
    const result = await new Promise<ScoreResult>((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      slot.worker.postMessage({ id, file, sha256 } satisfies ThreadRequest);
    });
    return { result, thread: slot.index + 1 };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.filter((s) => s !== undefined).map((s) => s.worker.terminate()));
  }
}
