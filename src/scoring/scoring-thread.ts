/**
 * The thread side of the scoring pool (scoring-pool.ts): a thread module calls runScoringThread with
 * the loader of its scorer. The scorer is loaded once; the pool hears that it is ready (or why it
 * cannot load: an InputError is the model folder's fault and is reported as such), then sends one job
 * at a time. A job that throws is answered as an error (not the input's fault: the pool rejects it as
 * transient); a thread module turns the input's own refusals into results before that.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import type { ThreadData, ThreadJob, ThreadReply } from './scoring-pool.js';

/** Loads the thread's scorer; resolves with what answers one job. */
export type ScorerLoader<Setup, Job, Result> = (setup: Setup, engineThreads: number) => Promise<(job: Job) => Promise<Result>>;

export function runScoringThread<Setup, Job, Result>(load: ScorerLoader<Setup, Job, Result>): void {
  const port = parentPort;
  if (port === null) throw new Error('runScoringThread runs in a worker thread of the scoring pool');
  const { setup, engineThreads } = workerData as ThreadData<Setup>;
  const reply = (message: ThreadReply<Result>): void => port.postMessage(message);
  const messageOf = (error: unknown): string => (error as Error)?.message ?? String(error);
  load(setup, engineThreads).then(
    (score) => {
      reply({ type: 'ready' });
      port.on('message', async ({ id, job }: ThreadJob<Job>) => {
        try {
          reply({ type: 'result', id, result: await score(job) });
        } catch (error) {
          reply({ type: 'error', id, message: messageOf(error) });
        }
      });
    },
    (error: unknown) => reply({ type: 'load-error', message: messageOf(error), input: error instanceof InputError }),
  );
}
