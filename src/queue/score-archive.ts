/**
 * `spinesurv score` as a library function: hash the inputs, open the store, score what it does not
 * have yet (on this machine's threads, or through the shared queue), then write results.csv.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { log, progress } from '../util/progress.js';
import { scoreLocally } from './local-score.js';
import { modelVersion } from '../models/model-version.js';
import { submitAndCollect } from './queue-submit.js';
import { probeQueue } from './redis-url.js';
import { writeResultsCsv, type ResultCounts } from './results-csv.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_SCORER_MODULE, type ScorerModule } from './scorer.js';
import { startQueuePool } from './scoring-pool.js';
import { checkStoreFolder, openStoreFolder, RESULTS_CSV } from './store-folder.js';
import { distinctImages, hashSubmissions } from './submissions.js';

export interface ScoreArchiveOptions {
  modelDir: string;
  files: string[];
  storeDir: string;
  /** A postgres:// URL: results in PostgreSQL instead of STORE's SQLite file. */
  database?: string;
  force?: boolean;
  /** Scoring threads on this machine (without a queue); the machine's cores by default. */
  workers?: number;
  queueUrl?: string;
  retry: RetryPolicy;
  sweepMs?: number;
  scorerModule?: string;
}

export interface ScoreArchiveSummary extends ResultCounts {
  images: number;
  distinct: number;
  /** Distinct images whose result was in the store before this run. */
  already_stored: number;
  /** Distinct images scored (or dead-lettered) by this run. */
  this_run: number;
  dead_lettered: number;
  mode: 'threads' | 'queue';
  workers: number | null;
  model_version: string;
  seconds: number;
  per_second: number;
  results_csv: string;
}

export async function scoreArchive(options: ScoreArchiveOptions): Promise<ScoreArchiveSummary> {
  const started = Date.now();
  // Everything that can refuse does so before any long work.
  checkStoreFolder(options.storeDir, { force: options.force });
  const scorerModule = (await import(options.scorerModule ?? DEFAULT_SCORER_MODULE)) as ScorerModule;
  await scorerModule.checkModel(options.modelDir);
  if (options.queueUrl !== undefined) await probeQueue(options.queueUrl);
  const version = modelVersion(options.modelDir);

  const hashing = progress('score: hashing', options.files.length);
  const submissions = await hashSubmissions(options.files, (n) => hashing.tick(n));
  hashing.done();
  const images = distinctImages(submissions);
  const store = await openStoreFolder(options.storeDir, { force: options.force, database: options.database });
  try {
    const stored = await store.finalShas(version);
    const todo = images.filter((i) => !stored.has(i.sha256));
    log(`score: ${options.files.length} file(s), ${images.length} distinct image(s), ${images.length - todo.length} already in the store, ${todo.length} to score`);
    const bar = progress('score', todo.length);
    let deadLettered = 0;
    let workers: number | null = null;
    // The rate counts scoring only: from the first radiograph handed out (threads loaded, or jobs
    // submitted to workers already running) to the last result stored.
    let scoringStarted = Date.now();
    if (todo.length > 0 && options.queueUrl === undefined) {
      workers = options.workers ?? availableParallelism();
      const pool = await startQueuePool({ modelDir: options.modelDir, threads: workers, scorerModule: options.scorerModule });
      scoringStarted = Date.now();
      try {
        ({ deadLettered } = await scoreLocally({ images: todo, store, modelVersion: version, pool, retry: options.retry, onResult: (n) => bar.tick(n) }));
      } finally {
        await pool.close();
      }
    } else if (todo.length > 0) {
      ({ deadLettered } = await submitAndCollect({
        url: options.queueUrl!,
        modelVersion: version,
        images: todo,
        store,
        retry: options.retry,
        sweepMs: options.sweepMs ?? 5000,
        onResult: (n) => bar.tick(n),
        log,
      }));
    }
    const scoringSeconds = (Date.now() - scoringStarted) / 1000;
    bar.done();
    const counts = writeResultsCsv(options.storeDir, submissions, await store.resultsFor(version), version);
    return {
      images: submissions.length,
      distinct: images.length,
      already_stored: images.length - todo.length,
      this_run: todo.length,
      dead_lettered: deadLettered,
      ...counts,
      mode: options.queueUrl === undefined ? 'threads' : 'queue',
      workers,
      model_version: version,
      seconds: (Date.now() - started) / 1000,
      per_second: todo.length > 0 && scoringSeconds > 0 ? todo.length / scoringSeconds : 0,
      results_csv: join(options.storeDir, RESULTS_CSV),
    };
  } finally {
    await store.close();
  }
}
