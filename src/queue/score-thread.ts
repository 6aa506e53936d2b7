/**
 * One scoring thread of the queue's pool (scoring-pool.ts, over the shared pool in src/scoring): loads
 * the scorer once, then scores the radiographs it is sent, one at a time. The file is read here, not in
 * the main thread, and its hash checked again, so an image changed since it was submitted is never
 * scored under the old image's key.
 */
import { readFile } from 'node:fs/promises';
import { runScoringThread } from '../scoring/scoring-thread.js';
import { sha256Bytes } from './hash-file.js';
import { failedResult, scoreOne, type ScoreResult, type ScorerModule } from './scorer.js';
import type { QueueJob, QueueThreadSetup } from './scoring-pool.js';

runScoringThread<QueueThreadSetup, QueueJob, ScoreResult>(async (setup, engineThreads) => {
  const module = (await import(setup.scorerModule)) as ScorerModule;
  const scorer = await module.loadScorer(setup.modelDir, { threads: engineThreads });
  return async (job) => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(job.file);
    } catch (error) {
      return failedResult(`${job.file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (sha256Bytes(bytes) !== job.sha256) return failedResult(`${job.file}: changed since it was submitted (its sha256 differs); submit it again`);
    return scoreOne(scorer, job.file, bytes);
  };
});
