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

const WEEK_S = 7 * 24 * 3600;
const BATCH = 200;

export async function submitAndCollect(options: SubmitOptions): Promise<{ deadLettered: number }> {
  const { store, modelVersion } = options;
  const name = queueNameFor(modelVersion);
  const connection = queueConnection(options.url);
  const queue = new Queue<ScoreJobData, ScoreJobResult, 'score'>(name, { connection });
  const events = new QueueEvents(name, { connection });
  let away = false;
  const onError = (error: Error): void => {
    if (!away) options.log(`score: queue unreachable (${(error as NodeJS.ErrnoException).code ?? error.message}); waiting for it`);
    away = true;
  };
  queue.on('error', onError);
  events.on('error', onError);

  const fileOf = new Map(options.images.map((i) => [i.sha256, i.file]));
  const pending = new Set(fileOf.keys());
  let done = 0;
  let writing = 0;
  let deadLettered = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));

  /** Stores one image's result once (the event and the sweep may both bring it); a failed write leaves it pending for the next sweep. */
  const record = (sha: string, put: () => Promise<unknown>): void => {
    if (!pending.has(sha)) return;
    pending.delete(sha);
    writing++;
    put()
      .then(
        () => options.onResult?.(++done),
        (error: Error) => {
          pending.add(sha);
          options.log(`score: cannot store the result of ${fileOf.get(sha)} (${error.message}); will try again`);
        },
      )
      .finally(() => {
        writing--;
        if (pending.size === 0 && writing === 0) finish();
      });
  };
  const storeCompleted = (sha: string, value: ScoreJobResult): void =>
    record(sha, () => store.put({ ...value, sha256: sha, modelVersion, file: fileOf.get(sha) ?? sha, retryable: false }));
  const storeDead = (job: Job<ScoreJobData, ScoreJobResult, 'score'>): void =>
    record(job.id!, () => {
      deadLettered++;
      return store.put({
        sha256: job.id!,
        modelVersion,
        file: fileOf.get(job.id!) ?? job.data.file,
        status: 'failed',
        risk: null,
        surv: null,
        flags: [],
        reason: `dead-lettered after ${job.attemptsMade} attempts: ${job.failedReason}`,
        worker: job.processedBy ?? null,
        attempts: job.attemptsMade,
        retryable: true,
        scoredAt: new Date().toISOString(),
      });
    });

  const jobOptions: JobsOptions = {
    attempts: options.retry.attempts,
    backoff: { type: 'exponential', delay: options.retry.backoffMs },
    removeOnComplete: { age: WEEK_S },
    removeOnFail: false,
  };
  const submit = async (shas: string[]): Promise<void> => {
    for (let i = 0; i < shas.length; i += BATCH) {
      await queue.addBulk(
        shas.slice(i, i + BATCH).map((sha) => ({
          name: 'score',
          data: { file: fileOf.get(sha)!, sha256: sha, modelVersion },
          opts: { ...jobOptions, jobId: sha },
        })),
      );
    }
  };

  /** Asks the queue about every image still missing: collects finished ones, resubmits forgotten ones. */
  const sweep = async (initial: boolean): Promise<void> => {
    const missing = [...pending];
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
        if (state === 'completed') storeCompleted(sha, job.returnvalue);
        else if (state === 'failed') {
          // Dead-lettered by an earlier run: this run is a fresh chance (the store marked it retryable).
          if (initial) {
            await job.remove();
            resubmit.push(sha);
          } else storeDead(job);
        } else if (state === 'unknown') resubmit.push(sha);
      }
    }
    if (resubmit.length > 0) {
      if (!initial) options.log(`score: ${resubmit.length} job(s) unknown to the queue (was Redis restarted?); submitting them again`);
      await submit(resubmit);
    }
  };

  events.on('completed', ({ jobId, returnvalue }) => {
    const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ScoreJobResult;
    if (value && typeof value === 'object') storeCompleted(jobId, value);
  });
  events.on('failed', ({ jobId }) => {
    if (!pending.has(jobId)) return;
    // 'failed' is also sent for an attempt that will be retried: only a job in the failed set is dead.
    void queue.getJob(jobId).then(async (job) => {
      if (job && (await job.getState()) === 'failed') storeDead(job);
    }, onError);
  });

  try {
    await events.waitUntilReady();
    await sweep(true);
    if (pending.size > 0 && (await queue.getWorkersCount()) === 0) {
      options.log(`score: no worker is connected to ${name} yet; the jobs wait for one (spinesurv worker --queue ${options.url} --model <the same model folder>)`);
    }
    let sweeping = false;
    const timer = setInterval(() => {
      if (sweeping || pending.size === 0) return;
      sweeping = true;
      sweep(false).then(
        () => {
          if (away) options.log('score: queue back; resuming');
          away = false;
        },
        onError,
      ).finally(() => (sweeping = false));
    }, options.sweepMs);
    if (pending.size === 0 && writing === 0) finish();
    await allDone;
    clearInterval(timer);
  } finally {
    await events.close();
    await queue.close();
  }
  return { deadLettered };
}
