/**
 * One BullMQ queue per model version: a worker takes only jobs for the model it loaded, and the job id
 * is the image's sha256, so the same image submitted twice (under any name, from any machine) is one
 * job while it is in the queue.
 */
import type { StoredResult } from './result-store.js';

export const QUEUE_PREFIX = 'spinesurv-';

export function queueNameFor(modelVersion: string): string {
  return `${QUEUE_PREFIX}${modelVersion}`;
}

/** What a job carries: the path is read by the worker (a shared path on several machines), the hash checked. */
export interface ScoreJobData {
  file: string;
  sha256: string;
  modelVersion: string;
}

/**
 * What a finished job returns: the stored result without what the submitter knows already (the
 * image, the model) or decides (retryable), carried back to its store; the worker is always named.
 */
export type ScoreJobResult = Omit<StoredResult, 'sha256' | 'modelVersion' | 'file' | 'retryable' | 'worker'> & { worker: string };
