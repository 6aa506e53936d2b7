/**
 * `spinesurv score --model DIR (--images DIR | --list LIST.txt) --out STORE [--queue redis://HOST:PORT] [--workers N]`:
 * scores every radiograph, on this machine's threads or through a shared queue served by
 * `spinesurv worker`; a re-run skips what the store already has. Writes STORE/results.csv.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { UsageError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import { refuseOverwritingInput } from '../../util/output-folder.js';
import { DEFAULT_RETRY, imagesInFolder, imagesInList, parseQueueUrl, scoreArchive, storeUrlOption } from '../../queue/index.js';

const spec: CommandSpec = {
  usage: 'spinesurv score',
  description:
    'Score many radiographs with an image model. Without --queue, on this machine\'s worker threads; with --queue, one job per image on a shared BullMQ/Redis queue that `spinesurv worker` processes (see docs/scale-out.md). The store is resumable: images already scored with this model are skipped. Writes STORE/results.csv when every image has a result.',
  options: {
    model: { type: 'string', description: 'model folder', placeholder: 'DIR', required: true },
    images: { type: 'string', description: 'folder of radiographs (every file below it)', placeholder: 'DIR' },
    list: { type: 'string', description: 'text file with one radiograph path a line', placeholder: 'LIST.txt' },
    out: { type: 'string', description: 'result store folder (created, or an earlier store reopened)', placeholder: 'STORE', required: true },
    store: { type: 'string', description: 'keep the results in this PostgreSQL database instead of STORE/results.sqlite (STORE still gets results.csv)', placeholder: 'postgres://...' },
    queue: { type: 'string', description: 'shared queue to submit to instead of scoring here', placeholder: 'redis://HOST:PORT' },
    workers: { type: 'string', description: 'scoring threads on this machine (without --queue; default: the number of cores)', placeholder: 'N' },
    attempts: { type: 'string', description: 'tries for an image whose scoring fails for a reason other than its input', placeholder: 'N', default: String(DEFAULT_RETRY.attempts) },
    'backoff-ms': { type: 'string', description: 'wait before the second try, doubled before each later one', placeholder: 'MS', default: String(DEFAULT_RETRY.backoffMs) },
    'sweep-seconds': { type: 'string', description: 'with --queue: how often the images still without a result are looked up in the queue (and resubmitted if it lost them)', placeholder: 'S', default: '5' },
    force: { type: 'boolean', description: 'discard the results of an earlier store in --out and score everything again' },
    json: { type: 'boolean', description: 'print a JSON summary on stdout' },
  },
};

/** Hooks for tests and benchmarks: a scorer module other than the built-in one. */
export interface ScoreHooks {
  scorerModule?: string;
}

export async function runScore(argv: string[], hooks: ScoreHooks = {}): Promise<number> {
  const a = parseCommand(argv, spec);
  if (a === null) return 0;
  const imagesDir = a.optionalString('images');
  const listFile = a.optionalString('list');
  if ((imagesDir === undefined) === (listFile === undefined)) throw new UsageError(`${spec.usage}: give one of --images DIR or --list LIST.txt`);
  const queueUrl = a.optionalString('queue');
  if (queueUrl !== undefined) parseQueueUrl(queueUrl);
  if (queueUrl !== undefined && a.optionalString('workers') !== undefined) {
    throw new UsageError(`${spec.usage}: --workers is for scoring here; with --queue, start \`spinesurv worker\` processes instead`);
  }
  const out = a.string('out');
  refuseOverwritingInput(out, [a.string('model'), imagesDir, listFile], 'store folder');
  const files = imagesDir !== undefined ? imagesInFolder(imagesDir) : imagesInList(listFile!);
  const summary = await scoreArchive({
    modelDir: a.string('model'),
    files,
    storeDir: out,
    database: storeUrlOption(a.optionalString('store')),
    force: a.flag('force'),
    workers: a.optionalString('workers') === undefined ? undefined : a.integer('workers', undefined, 1),
    queueUrl,
    retry: { attempts: a.integer('attempts', undefined, 1), backoffMs: a.integer('backoff-ms', undefined, 0) },
    sweepMs: Math.round(a.number('sweep-seconds') * 1000),
    scorerModule: hooks.scorerModule,
  });
  log(
    `score: ${summary.images} file(s): ${summary.scored} scored, ${summary.flagged} flagged, ${summary.failed} failed` +
      `${summary.dead_lettered > 0 ? ` (${summary.dead_lettered} dead-lettered after every retry)` : ''}; ` +
      `${summary.this_run} scored now at ${summary.per_second.toFixed(2)}/s -> ${summary.results_csv}`,
  );
  if (a.flag('json')) printJson(summary);
  return 0;
}

export const command: Command = { run: (argv) => runScore(argv) };
