/**
 * The queue's scoring threads (`score` without --queue, and `worker`): the shared pool
 * (src/scoring/scoring-pool.ts) running score-thread.ts, which loads the scorer by the model's kind
 * (or a test's scorer module) and scores one stored file at a time, by path and checked hash.
 */
import { ScoringPool } from '../scoring/scoring-pool.js';
import { DEFAULT_SCORER_MODULE, type ScoreResult } from './scorer.js';

export { TransientScoreError } from '../scoring/scoring-pool.js';

export interface QueueThreadSetup {
  modelDir: string;
  scorerModule: string;
}

export interface QueueJob {
  file: string;
  sha256: string;
}

export type QueueScoringPool = ScoringPool<QueueJob, ScoreResult>;

export interface QueuePoolOptions {
  modelDir: string;
  threads: number;
  /** URL of a module exporting loadScorer (tests); the built-in one by default. */
  scorerModule?: string;
  /** Engine threads per scoring thread (default: the compute mode's share, 1 in the reproducible mode). */
  engineThreads?: number;
}

export function startQueuePool(options: QueuePoolOptions): Promise<QueueScoringPool> {
  return ScoringPool.start<QueueJob, ScoreResult, QueueThreadSetup>({
    thread: new URL('./score-thread.js', import.meta.url),
    setup: { modelDir: options.modelDir, scorerModule: options.scorerModule ?? DEFAULT_SCORER_MODULE },
    threads: options.threads,
    engineThreads: options.engineThreads,
  });
}
