/**
 * `score --queue`: submits one job per image not yet in the store (job id = sha256, so a resubmitted
 * image is one job), then gathers the results as workers finish them and stores each, until every image
 * has one. Results arrive by the queue's event stream; a periodic sweep asks the queue about every image
 * still missing, so nothing is lost when events are missed (this process restarted, Redis restarted
 * and forgot its jobs: a job the queue no longer knows is submitted again).
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import { queueNameFor, type ScoreJobData, type ScoreJobResult } from './queue-names.js';
import { queueConnection } from './redis-url.js';
import type { ResultStore } from './result-store.js';
import type { RetryPolicy } from './retry.js';
import { failedResult } from './scorer.js';

export interface SubmitOptions {
  url: string;
  modelVersion: string;
  images: Array<{ file: string; sha256: string }>;
  store: ResultStore;
  retry: RetryPolicy;
  /** How often the images still missing are looked up in the queue. */
  sweepMs: number;
  onResult?: (done: number) => void;
  log: (message: string) => void;
}

type ScoreQueue = Queue<ScoreJobData, ScoreJobResult, 'score'>;
type ScoreJob = Job<ScoreJobData, ScoreJobResult, 'score'>;

const WEEK_S = 7 * 24 * 3600;
const BATCH = 200;

export async function submitAndCollect(options: SubmitOptions): Promise<{ deadLettered: number }> {
  const name = queueNameFor(options.modelVersion);
  const { queue, events, outage } = openQueue(name, options);
  const results = new ResultCollector(options);
  const submit = jobSubmitter(queue, options, results);
  try {
    collectFromEvents(events, queue, results, outage);
    await events.waitUntilReady();
    await sweep(queue, results, submit, true, options.log);
    await warnIfNoWorker(queue, name, results, options);
    const stopSweeping = sweepPeriodically(queue, results, submit, outage, options);
    results.finishIfDone();
    await results.allDone;
    stopSweeping();
  } finally {
    await events.close();
    await queue.close();
  }
  return { deadLettered: results.deadLettered };
}

/** Redis going away is logged once per outage, and its return once, not every reconnection attempt. */
class Outage {
  private away = false;

  constructor(private readonly log: (message: string) => void) {}

  readonly report = (error: Error): void => {
    if (!this.away) this.log(`score: queue unreachable (${(error as NodeJS.ErrnoException).code ?? error.message}); waiting for it`);
    this.away = true;
  };

  over(): void {
    if (this.away) this.log('score: queue back; resuming');
    this.away = false;
  }
}

/** The model's queue and its event stream, both reporting an outage to the same Outage. */
function openQueue(name: string, options: SubmitOptions): { queue: ScoreQueue; events: QueueEvents; outage: Outage } {
  const connection = queueConnection(options.url);
  const queue = new Queue<ScoreJobData, ScoreJobResult, 'score'>(name, { connection });
  const events = new QueueEvents(name, { connection });
  const outage = new Outage(options.log);
  queue.on('error', outage.report);
  events.on('error', outage.report);
  return { queue, events, outage };
}

/** The images still missing a result, and the storing of each result exactly once. */
class ResultCollector {
  readonly pending: Set<string>;
  private readonly files: Map<string, string>;
  private done = 0;
  private writing = 0;
  deadLettered = 0;
  private finish: () => void = () => undefined;
  /** Resolves once every image has a stored result. */
  readonly allDone = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(private readonly options: SubmitOptions) {
    this.files = new Map(options.images.map((i) => [i.sha256, i.file]));
    this.pending = new Set(this.files.keys());
  }

  fileOf(sha: string): string | undefined {
    return this.files.get(sha);
  }

  storeCompleted(sha: string, value: ScoreJobResult): void {
    const { store, modelVersion } = this.options;
    this.record(sha, () => store.put({ ...value, sha256: sha, modelVersion, file: this.fileOf(sha) ?? sha, retryable: false }));
  }

  /** A job that failed every attempt: stored as failed and retryable, so that a later run tries it again. */
  storeDead(job: ScoreJob): void {
    const { store, modelVersion } = this.options;
    this.record(job.id!, () => {
      this.deadLettered++;
      return store.put({
        sha256: job.id!,
        modelVersion,
        file: this.fileOf(job.id!) ?? job.data.file,
        ...failedResult(`dead-lettered after ${job.attemptsMade} attempts: ${job.failedReason}`),
        worker: job.processedBy ?? null,
        attempts: job.attemptsMade,
        retryable: true,
        scoredAt: new Date().toISOString(),
      });
    });
  }

  finishIfDone(): void {
    if (this.pending.size === 0 && this.writing === 0) this.finish();
  }

  /** Stores one image's result once (the event and the sweep may both bring it); a failed write leaves it pending for the next sweep. */
  private record(sha: string, put: () => Promise<unknown>): void {
    if (!this.pending.has(sha)) return;
    this.pending.delete(sha);
    this.writing++;
    put()
      .then(
        () => this.options.onResult?.(++this.done),
        (error: Error) => {
          this.pending.add(sha);
          this.options.log(`score: cannot store the result of ${this.fileOf(sha)} (${error.message}); will try again`);
        },
      )
      .finally(() => {
        this.writing--;
        this.finishIfDone();
      });
  }
}

/** Adds the images' jobs in batches, each job id the image's sha256, with the submitter's retry policy. */
function jobSubmitter(queue: ScoreQueue, options: SubmitOptions, results: ResultCollector): (shas: string[]) => Promise<void> {
  const jobOptions: JobsOptions = {
    attempts: options.retry.attempts,
    backoff: { type: 'exponential', delay: options.retry.backoffMs },
    removeOnComplete: { age: WEEK_S },
    removeOnFail: false,
  };
  return async (shas) => {
    for (let i = 0; i < shas.length; i += BATCH) {
      await queue.addBulk(
        shas.slice(i, i + BATCH).map((sha) => ({
          name: 'score',
          data: { file: results.fileOf(sha)!, sha256: sha, modelVersion: options.modelVersion },
          opts: { ...jobOptions, jobId: sha },
        })),
      );
    }
  };
}

/** Stores each result the event stream announces; a 'failed' event counts only when the job is dead. */
function collectFromEvents(events: QueueEvents, queue: ScoreQueue, results: ResultCollector, outage: Outage): void {
  events.on('completed', ({ jobId, returnvalue }) => {
    const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ScoreJobResult;
    if (value && typeof value === 'object') results.storeCompleted(jobId, value);
  });
  events.on('failed', ({ jobId }) => {
    if (!results.pending.has(jobId)) return;
    // 'failed' is also sent for an attempt that will be retried: only a job in the failed set is dead.
    void queue.getJob(jobId).then(async (job) => {
      if (job && (await job.getState()) === 'failed') results.storeDead(job);
    }, outage.report);
  });
}

/** Asks the queue about every image still missing: collects finished ones, resubmits forgotten ones. */
async function sweep(queue: ScoreQueue, results: ResultCollector, submit: (shas: string[]) => Promise<void>, initial: boolean, log: (message: string) => void): Promise<void> {
  const missing = [...results.pending];
  const resubmit: string[] = [];
  for (let i = 0; i < missing.length; i += BATCH) {
    const jobs = await Promise.all(missing.slice(i, i + BATCH).map((sha) => queue.getJob(sha)));
    for (const [k, job] of jobs.entries()) {
      const sha = missing[i + k];
      if (job === undefined || job === null) {
        resubmit.push(sha);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed') results.storeCompleted(sha, job.returnvalue);
      else if (state === 'failed') {
        // Dead-lettered by an earlier run: this run is a fresh chance (the store marked it retryable).
        if (initial) {
          await job.remove();
          resubmit.push(sha);
        } else results.storeDead(job);
      } else if (state === 'unknown') resubmit.push(sha);
    }
  }
  if (resubmit.length > 0) {
    if (!initial) log(`score: ${resubmit.length} job(s) unknown to the queue (was Redis restarted?); submitting them again`);
    await submit(resubmit);
  }
}

/** Jobs with no worker to take them wait silently otherwise: say which command serves them. */
async function warnIfNoWorker(queue: ScoreQueue, name: string, results: ResultCollector, options: SubmitOptions): Promise<void> {
  if (results.pending.size > 0 && (await queue.getWorkersCount()) === 0) {
    options.log(`score: no worker is connected to ${name} yet; the jobs wait for one (spinesurv worker --queue ${options.url} --model <the same model folder>)`);
  }
}

/** Sweeps every sweepMs while images are missing (one sweep at a time); returns what stops it. */
function sweepPeriodically(queue: ScoreQueue, results: ResultCollector, submit: (shas: string[]) => Promise<void>, outage: Outage, options: SubmitOptions): () => void {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping || results.pending.size === 0) return;
    sweeping = true;
    sweep(queue, results, submit, false, options.log)
      .then(() => outage.over(), outage.report)
      .finally(() => (sweeping = false));
  }, options.sweepMs);
  return () => clearInterval(timer);
}
