/**
 * `spinesurv worker`: takes score jobs from the shared queue and scores them on this machine's thread
 * pool. Delivery is at-least-once: a job whose worker died (kill -9, power loss) keeps its lock only
 * until lockMs runs out, then BullMQ's stalled-job check hands it to another worker. A transient failure
 * is thrown back to BullMQ, which retries the job with the backoff the submitter chose, and after the
 * last attempt leaves it in the queue's failed set: the dead-letter list, with its reason.
 *
 * The result goes back as the job's return value (the submitting `score` stores it), and into STORE too
 * when the worker is given one it can reach; a result already there is returned without scoring again.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { modelVersion } from '../models/model-version.js';
import { queueNameFor, type ScoreJobData, type ScoreJobResult } from './queue-names.js';
import { probeQueue, queueConnection } from './redis-url.js';
import type { ResultStore } from './result-store.js';
import { startQueuePool, type QueueScoringPool } from './scoring-pool.js';
import { openStoreFolder } from './store-folder.js';
import { openPostgresStore } from './postgres-store.js';

export interface QueueWorkerOptions {
  url: string;
  modelDir: string;
  storeDir?: string;
  /** A postgres:// URL: the shared store this worker writes into. */
  database?: string;
  /** Radiographs scored at once (one thread each). */
  concurrency: number;
  /** Engine threads per scoring thread (default: the cores shared out). */
  engineThreads?: number;
  /** How long a job stays locked to a worker that stopped renewing it (then it is retried elsewhere). */
  lockMs: number;
  name?: string;
  scorerModule?: string;
  log: (message: string) => void;
}

export interface RunningWorker {
  name: string;
  modelVersion: string;
  /** Resolves once the worker has stopped (after stop()). */
  stopped: Promise<void>;
  /** Finishes the jobs in hand, then stops. */
  stop(): Promise<void>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<RunningWorker> {
  await probeQueue(options.url);
  const version = modelVersion(options.modelDir);
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const store: ResultStore | null =
    options.database !== undefined
      ? await openPostgresStore(options.database)
      : options.storeDir !== undefined
        ? await openStoreFolder(options.storeDir)
        : null;
  let pool: QueueScoringPool;
  try {
    pool = await startQueuePool({ modelDir: options.modelDir, threads: options.concurrency, engineThreads: options.engineThreads, scorerModule: options.scorerModule });
  } catch (error) {
    await store?.close();
    throw error;
  }

  const processJob = async (job: Job<ScoreJobData, ScoreJobResult>): Promise<ScoreJobResult> => {
    const { file, sha256 } = job.data;
    const known = await store?.get(sha256, version);
    if (known !== undefined && !known.retryable) {
      const { status, risk, surv, flags, reason, worker, attempts, scoredAt } = known;
      return { status, risk, surv, flags, reason, worker: worker ?? name, attempts, scoredAt };
    }
    // A transient failure rejects here; BullMQ then retries the job with its backoff.
    const { result } = await pool.run({ file, sha256 });
    const out: ScoreJobResult = { ...result, worker: name, attempts: job.attemptsStarted, scoredAt: new Date().toISOString() };
    await store?.put({ ...out, sha256, modelVersion: version, file, retryable: false });
    return out;
  };

  const worker = new Worker<ScoreJobData, ScoreJobResult>(queueNameFor(version), processJob, {
    connection: queueConnection(options.url),
    concurrency: options.concurrency,
    name,
    lockDuration: options.lockMs,
    stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)),
    // A radiograph whose worker died twice is still worth a third worker before it is dead-lettered.
    maxStalledCount: 2,
    autorun: true,
  });
  // Redis going away is reported once per outage; the connection reconnects on its own.
  let away = false;
  worker.on('error', (error) => {
    if (!away) options.log(`worker ${name}: queue unreachable (${(error as NodeJS.ErrnoException).code ?? error.message}); waiting for it`);
    away = true;
  });
  // BullMQ does not announce a reconnection; taking the next job is the sign the queue is back.
  worker.on('active', () => {
    if (away) options.log(`worker ${name}: queue back; resuming`);
    away = false;
  });
  worker.on('failed', (job, error) => {
    if (job) options.log(`worker ${name}: ${job.data.file}: attempt ${job.attemptsStarted} failed (${error.message})`);
  });
  await worker.waitUntilReady();
  options.log(`worker ${name}: model ${version}, ${pool.size} thread(s), queue ${queueNameFor(version)} at ${options.url}`);

  let stopping: Promise<void> | null = null;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  return {
    name,
    modelVersion: version,
    stopped,
    stop: () => {
      stopping ??= (async () => {
        try {
          await worker.close();
        } finally {
          await pool.close();
          await store?.close();
          markStopped();
        }
      })();
      return stopping;
    },
  };
}
