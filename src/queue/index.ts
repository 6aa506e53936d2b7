/**
 * Scoring many radiographs (docs/scale-out.md): in-process on worker threads, or on a shared BullMQ
 * queue across machines, with a resumable result store keyed by (image sha256, model version).
 */
export { scoreArchive, type ScoreArchiveOptions, type ScoreArchiveSummary } from './score-archive.js';
export { startQueueWorker, type QueueWorkerOptions, type RunningWorker } from './queue-worker.js';
export { queueStatus, type QueueSummary, type DeadLetter } from './queue-status.js';
export { loadScorer, checkModel, scoreOne, DEFAULT_SCORER_MODULE, type QueueScorer, type ScoreResult, type ScoreStatus, type ScorerModule, type ScorerOptions } from './scorer.js';
export { openSqliteStore, type ResultStore, type StoredResult } from './result-store.js';
export { openStoreFolder, checkStoreFolder, RESULTS_CSV, STORE_DB } from './store-folder.js';
export { startQueuePool, TransientScoreError, type QueueScoringPool } from './scoring-pool.js';
export { queueNameFor, type ScoreJobData, type ScoreJobResult } from './queue-names.js';
export { imagesInFolder, imagesInList } from './inputs.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { parseQueueUrl, probeQueue } from './redis-url.js';
export { openPostgresStore, storeUrlOption } from './postgres-store.js';
