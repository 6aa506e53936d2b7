/**
 * One BullMQ queue per model version: a worker takes only jobs for the model it loaded, and the job id
 * is the image's sha256, so the same image submitted twice (under any name, from any machine) is one
 * job while it is in the queue.
 */
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

/** What a finished job returns: the result, carried back to the store of the machine that submitted it. */
export interface ScoreJobResult {
  status: 'scored' | 'flagged' | 'failed';
  risk: number | null;
  surv: Record<string, number> | null;
  flags: string[];
  reason: string | null;
  worker: string;
  attempts: number;
  scoredAt: string;
}
