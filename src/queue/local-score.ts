/**
 * Scoring on this machine (the default): the images not yet in the store go to the thread pool, each
 * result is stored as soon as it comes, so a run stopped at any point resumes where it was. A failure
 * that is not the input's fault is retried with backoff; after the last attempt the image is stored as
 * failed and retryable (the in-process dead-letter list), and a later run tries it again.
 */
import type { ResultStore } from './result-store.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { failedResult } from './scorer.js';
import type { QueueScoringPool } from './scoring-pool.js';

export interface LocalScoreOptions {
  images: Array<{ file: string; sha256: string }>;
  store: ResultStore;
  modelVersion: string;
  pool: QueueScoringPool;
  retry: RetryPolicy;
  onResult?: (done: number) => void;
}

export async function scoreLocally(options: LocalScoreOptions): Promise<{ deadLettered: number }> {
  const { images, store, modelVersion, pool, retry } = options;
  let next = 0;
  let done = 0;
  let deadLettered = 0;
  // Twice as many runners as threads: a thread never waits while its next image is being stored.
  const runners = Array.from({ length: Math.min(images.length, pool.size * 2) }, async () => {
    while (next < images.length) {
      const image = images[next++];
      let thread = 0;
      const outcome = await withRetries(retry, async () => {
        const r = await pool.run({ file: image.file, sha256: image.sha256 });
        thread = r.thread;
        return r.result;
      });
      const common = { sha256: image.sha256, modelVersion, file: image.file, attempts: outcome.attempts, scoredAt: new Date().toISOString() };
      if (outcome.ok) {
        await store.put({ ...common, ...outcome.value, worker: `thread-${thread}`, retryable: false });
      } else {
        deadLettered++;
        const reason = `failed ${outcome.attempts} attempts: ${outcome.error.message}`;
        await store.put({ ...common, ...failedResult(reason), worker: null, retryable: true });
      }
      options.onResult?.(++done);
    }
  });
  await Promise.all(runners);
  return { deadLettered };
}
