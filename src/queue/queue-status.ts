/**
 * `spinesurv queue status`: for every spinesurv queue on the Redis server (one per model version), the
 * job counts, the workers connected, and the dead-letter list: images that failed every attempt, with
 * the reason of the last one.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, type ScoreJobData } from './queue-names.js';
import { probeQueue, queueConnection } from './redis-url.js';

export interface DeadLetter {
  file: string;
  sha256: string;
  reason: string;
  attempts: number;
  failed_at: string | null;
}

export interface QueueSummary {
  queue: string;
  model_version: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  workers: string[];
  dead_letter: DeadLetter[];
}

/** Queue names found on the server: BullMQ keeps a `<prefix>:<queue>:meta` hash for each. */
async function spinesurvQueues(url: string): Promise<string[]> {
  const redis = new Redis({ ...queueConnection(url), lazyConnect: true });
  try {
    await redis.connect();
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${QUEUE_PREFIX}*:meta`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) names.add(k.slice('bull:'.length, -':meta'.length));
    } while (cursor !== '0');
    return [...names].sort();
  } finally {
    redis.disconnect();
  }
}

export async function queueStatus(url: string, options: { modelVersion?: string; limit: number }): Promise<QueueSummary[]> {
  await probeQueue(url);
  let names = await spinesurvQueues(url);
  if (options.modelVersion !== undefined) names = names.filter((n) => n === `${QUEUE_PREFIX}${options.modelVersion}`);
  const out: QueueSummary[] = [];
  for (const name of names) {
    const queue = new Queue<ScoreJobData>(name, { connection: queueConnection(url) });
    try {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
      // A worker's client name is "<prefix>:<queue, base64>:w:<worker name>".
      const workers = (await queue.getWorkers()).map((w) => String(w.rawname ?? '').split(':w:').pop() ?? '').filter((n) => n !== '');
      const failed = await queue.getFailed(0, Math.max(0, options.limit - 1));
      out.push({
        queue: name,
        model_version: name.slice(QUEUE_PREFIX.length),
        counts: {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          completed: c.completed ?? 0,
          failed: c.failed ?? 0,
        },
        workers,
        dead_letter: failed.map((job) => ({
          file: job.data.file,
          sha256: job.data.sha256,
          reason: job.failedReason,
          attempts: job.attemptsMade,
          failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        })),
      });
    } finally {
      await queue.close();
    }
  }
  return out;
}
