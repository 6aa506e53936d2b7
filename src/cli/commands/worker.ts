/**
 * `spinesurv worker --queue redis://HOST:PORT --model DIR [--out STORE]`: serves the shared scoring
 * queue from this machine until stopped (SIGINT or SIGTERM finish the radiographs in hand first).
 * One process per machine; --concurrency scoring threads in it.
 */
import { availableParallelism } from 'node:os';
import type { Command } from '../command.js';
import { parseCommand, type CommandSpec } from '../args.js';
import { log } from '../../util/progress.js';
import { startQueueWorker, storeUrlOption } from '../../queue/index.js';
import { UsageError } from '../../util/errors.js';

const spec: CommandSpec = {
  usage: 'spinesurv worker',
  description:
    'Score radiographs from the shared queue that `spinesurv score --queue` fills, until stopped. Results go back through the queue to the store of the submitting `score`; with --out, also into that store (one this machine can reach), and images already there are not scored again.',
  options: {
    queue: { type: 'string', description: 'the shared queue', placeholder: 'redis://HOST:PORT', required: true },
    model: { type: 'string', description: 'model folder (the same files as the submitter\'s: the model version is their hash)', placeholder: 'DIR', required: true },
    out: { type: 'string', description: 'result store folder shared with `score` (same machine)', placeholder: 'STORE' },
    store: { type: 'string', description: 'the shared PostgreSQL result store to write into (any machine)', placeholder: 'postgres://...' },
    concurrency: { type: 'string', description: 'radiographs scored at once, one thread each (default: the number of cores)', placeholder: 'N' },
    'engine-threads': { type: 'string', description: 'engine threads per scoring thread (default 1: throughput comes from one scoring thread per core)', placeholder: 'N' },
    'lock-seconds': { type: 'string', description: 'a job held by a worker that stopped answering goes to another worker after this long', placeholder: 'S', default: '30' },
    name: { type: 'string', description: 'worker name shown by `queue status` and stored with each result (default: host-pid)', placeholder: 'NAME' },
  },
};

export interface WorkerHooks {
  scorerModule?: string;
}

export async function runWorker(argv: string[], hooks: WorkerHooks = {}): Promise<number> {
  const a = parseCommand(argv, spec);
  if (a === null) return 0;
  if (a.optionalString('out') !== undefined && a.optionalString('store') !== undefined) throw new UsageError(`${spec.usage}: give --out STORE or --store postgres://..., not both`);
  const worker = await startQueueWorker({
    url: a.string('queue'),
    modelDir: a.string('model'),
    storeDir: a.optionalString('out'),
    database: storeUrlOption(a.optionalString('store')),
    concurrency: a.optionalString('concurrency') === undefined ? availableParallelism() : a.integer('concurrency', undefined, 1),
    engineThreads: a.optionalString('engine-threads') === undefined ? undefined : a.integer('engine-threads', undefined, 1),
    lockMs: Math.round(a.number('lock-seconds') * 1000),
    name: a.optionalString('name'),
    scorerModule: hooks.scorerModule,
    log,
  });
  const stop = (): void => {
    log(`worker ${worker.name}: stopping after the radiographs in hand`);
    void worker.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.stopped;
  return 0;
}

export const command: Command = { run: (argv) => runWorker(argv) };
