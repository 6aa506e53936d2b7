/**
 * `spinesurv queue status --queue redis://HOST:PORT [--model DIR] [--json]`: what the shared scoring
 * queue holds: job counts, connected workers, and the dead-letter list with each image's reason.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec } from '../args.js';
import { modelVersion } from '../../models/model-version.js';
import { queueStatus } from '../../queue/index.js';

const statusSpec: CommandSpec = {
  usage: 'spinesurv queue status',
  description: 'Summarise the shared scoring queues: jobs waiting, active, delayed, completed and failed, the workers connected, and the dead-letter list (images that failed every attempt, with the reason).',
  options: {
    queue: { type: 'string', description: 'the shared queue', placeholder: 'redis://HOST:PORT', required: true },
    model: { type: 'string', description: 'only the queue of this model folder', placeholder: 'DIR' },
    limit: { type: 'string', description: 'dead-letter entries listed per queue', placeholder: 'N', default: '20' },
    json: { type: 'boolean', description: 'print {"queues": [...]} on stdout' },
  },
};

async function status(argv: string[]): Promise<number> {
  const a = parseCommand(argv, statusSpec);
  if (a === null) return 0;
  const model = a.optionalString('model');
  const queues = await queueStatus(a.string('queue'), { modelVersion: model === undefined ? undefined : modelVersion(model), limit: a.integer('limit', undefined, 0) });
  if (a.flag('json')) {
    printJson({ queues });
    return 0;
  }
  if (queues.length === 0) process.stdout.write('no spinesurv queue on this server\n');
  for (const q of queues) {
    const c = q.counts;
    process.stdout.write(
      `${q.queue} (model ${q.model_version}): ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed (backing off), ${c.completed} completed, ${c.failed} dead-lettered; ${q.workers.length} worker(s)${q.workers.length > 0 ? `: ${q.workers.join(', ')}` : ''}\n`,
    );
    for (const d of q.dead_letter) process.stdout.write(`  dead: ${d.file} (${d.sha256.slice(0, 12)}) after ${d.attempts} attempt(s): ${d.reason}\n`);
  }
  return 0;
}

const help = `Usage: spinesurv queue <status> [options]

  status   job counts, workers and the dead-letter list of the shared scoring queue (docs/scale-out.md)

Run \`spinesurv queue status --help\` for the options.
`;

export const command: Command = { run: (argv) => runSubcommand(argv, help, { status }) };
