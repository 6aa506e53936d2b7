/**
 * The main thread's side of the scoring thread (score-thread.ts): starts it, sends it one job at a
 * time, and replaces it if it dies (a crash in native code fails the job it held, never the server).
 */
import { Worker } from 'node:worker_threads';
import type { ClinicalValues } from '../models/image/clinical.js';
import type { FailedOutcome, FlaggedOutcome, ScoreOutcome } from '../models/image/radiograph-scorer.js';

export type { ScoreOutcome };

export interface ScoreThreadSetup {
  modelDir: string;
  engineThreads: number;
}

export interface ScoreJob {
  id: number;
  /** The stored file (read in the thread). */
  file: string;
  /** Names the instance in messages instead of the file path (no UID, no patient field). */
  where: string;
  /** A clinician's keypoints to score with; null runs the detector. */
  keypoints: number[] | null;
  clinical: ClinicalValues;
  /** Also write the Grad-CAM overlay PNG here. */
  heatmap: string | null;
  /** Only read the image and apply the input rules (checkInput): no detector, no model. */
  inputOnly?: boolean;
}

/** An image's own checks alone: it may be a lateral lumbar radiograph, or the refusal as scoring gives it. */
export type InputCheck = { status: 'input-ok' } | FlaggedOutcome | FailedOutcome;

/** A reply from the thread: ready, a load error, an engine error (not the image's fault), or the job's outcome. */
export type ScoreReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'error'; id: number; message: string }
  | ((ScoreOutcome | { status: 'input-ok' }) & { type?: undefined; id: number });

/** A scoring error that is not the image's fault (the engine, the thread). */
export class ScoringError extends Error {
  override name = 'ScoringError';
}

export class ScorerClient {
  private worker!: Worker;
  private ready!: Promise<void>;
  private chain: Promise<unknown> = Promise.resolve();
  private current: { id: number; resolve: (o: ScoreOutcome | InputCheck) => void; reject: (e: Error) => void } | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly setup: ScoreThreadSetup) {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./score-thread.js', import.meta.url), { workerData: this.setup });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (reply: ScoreReply) => {
        if (reply.type === 'ready') return resolve();
        if (reply.type === 'load-error') {
          // A model that cannot load will not load on a retry either: no restart loop.
          this.closed = true;
          return reject(new ScoringError(`cannot load the model: ${reply.message}`));
        }
        const c = this.current;
        if (c === null || c.id !== reply.id) return;
        this.current = null;
        if (reply.type === 'error') c.reject(new ScoringError(reply.message));
        else {
          const { id: _id, type: _type, ...outcome } = reply;
          c.resolve(outcome as ScoreOutcome | InputCheck);
        }
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.current?.reject(new ScoringError(`the scoring thread failed: ${error.message}`));
        this.current = null;
      });
      this.worker.on('exit', () => {
        reject(new ScoringError('the scoring thread exited while loading'));
        if (this.current !== null) {
          this.current.reject(new ScoringError('the scoring thread exited'));
          this.current = null;
        }
        if (!this.closed) this.start();
      });
    });
    // A load failure is reported to whoever waits for `whenReady` or a score; never unhandled.
    this.ready.catch(() => undefined);
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Scores one job; jobs run one after another in the order they were given. */
  score(job: Omit<ScoreJob, 'id' | 'inputOnly'>): Promise<ScoreOutcome> {
    return this.send({ ...job, inputOnly: false }) as Promise<ScoreOutcome>;
  }

  /**
   * The input rules alone (models/image/quality.ts, what scoring applies first), for an image that
   * cannot be scored yet: read on the scoring thread, in turn with the scoring jobs.
   */
  checkInput(job: { file: string; where: string }): Promise<InputCheck> {
    return this.send({ ...job, keypoints: null, clinical: {}, heatmap: null, inputOnly: true }) as Promise<InputCheck>;
  }

  private send(job: Omit<ScoreJob, 'id'>): Promise<ScoreOutcome | InputCheck> {
    const run = async (): Promise<ScoreOutcome | InputCheck> => {
      await this.ready;
      const id = this.nextId++;
      return new Promise<ScoreOutcome | InputCheck>((resolve, reject) => {
        this.current = { id, resolve, reject };
        this.worker.postMessage({ ...job, id } satisfies ScoreJob);
      });
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}
