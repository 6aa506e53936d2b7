/**
 * `spinesurv annotate`: place L1-L5 on a cohort's training radiographs in the browser, with the
 * detector in the loop (docs/annotate.md).
 */
import { isAbsolute, join } from 'node:path';
import type { Command } from '../command.js';
import { parseCommand, type CommandSpec } from '../args.js';
import { loadConfig } from '../../study/config.js';
import { cohortFilePath } from '../../util/cohort-format.js';
import { log } from '../../util/progress.js';

const spec: CommandSpec = {
  usage: 'spinesurv annotate',
  description:
    'Annotate L1-L5 on a cohort\'s training radiographs in the browser: the web viewer of `serve` in annotation mode (window/level,\n' +
    'zoom). Click places the selected point; keys 1-5 select a point, arrows nudge it (Shift: 10 px), Enter accepts the image,\n' +
    'P accepts the detector\'s proposal unchanged, S skips with a reason, U undoes. After each accepted image the keypoints file\n' +
    '(COCO keypoints; annotator and seconds per image in "spinesurv_annotate") is written to disk before the page hears back.\n' +
    'With --detector, its proposals are shown and the worklist is ordered by its uncertainty; after --retrain-first accepted\n' +
    'images (and every --retrain-every more) the detector is retrained in the background from the last one.\n' +
    'Access: 127.0.0.1 by default; another --host needs a token (--token or SPINESURV_TOKEN); open /?token=TOKEN.\n' +
    'Prints "annotate: http://HOST:PORT ..." on stderr when ready; runs until SIGINT/SIGTERM. See docs/annotate.md.',
  options: {
    cohort: { type: 'string', placeholder: 'DIR', description: 'cohort folder (cohort.csv and the radiographs)', required: true },
    config: { type: 'string', placeholder: 'study.json', description: 'the study.json the study will run with (cohort file, columns, codes)' },
    keypoints: { type: 'string', placeholder: 'FILE', description: 'keypoints file to read and write (default: study.json\'s keypoints_file, relative to DIR; else DIR/keypoints.json)' },
    detector: { type: 'string', placeholder: 'MODEL', description: 'a keypoint detector (landmarks train) to propose points' },
    order: { type: 'string', placeholder: 'uncertainty|file', description: 'worklist order (default: uncertainty with --detector, else file)' },
    'include-test': { type: 'boolean', description: 'show the test split too (for a separate reader study)' },
    'retrain-first': { type: 'string', placeholder: 'N', description: 'retrain the detector after N accepted images (0: never)', default: '30' },
    'retrain-every': { type: 'string', placeholder: 'M', description: 'and again after every M more', default: '30' },
    epochs: { type: 'string', placeholder: 'N', description: 'epochs per retraining (default: the detector profile\'s)' },
    size: { type: 'string', placeholder: 'PX', description: 'detector input size when retraining (default: the profile\'s)' },
    seed: { type: 'string', placeholder: 'N', description: 'random seed of the retraining', default: '1' },
    host: { type: 'string', placeholder: 'ADDR', description: 'address to bind; other than 127.0.0.1 needs a token', default: '127.0.0.1' },
    port: { type: 'string', placeholder: 'N', description: 'HTTP port (0: a free one)', default: '8090' },
    token: { type: 'string', placeholder: 'T', description: 'access token (at least 16 characters); default: $SPINESURV_TOKEN' },
  },
};

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const { startAnnotate } = await import('../../serve/annotate/annotate-server.js');
    const cohortDir = a.string('cohort');
    const detector = a.optionalString('detector') ?? null;
    const config = loadConfig(a.optionalString('config'));
    const kp = a.optionalString('keypoints');
    // The file the study will read (study.json keypoints_file), unless another is named here.
    const keypointsPath = kp === undefined ? cohortFilePath(cohortDir, config.keypointsFile) : isAbsolute(kp) ? kp : join(process.cwd(), kp);
    const running = await startAnnotate({
      cohortDir, config, keypointsPath, detector,
      host: a.string('host'), port: a.integer('port', 8090, 0), token: a.optionalString('token') ?? (process.env.SPINESURV_TOKEN || null),
      includeTest: a.flag('include-test'),
      order: a.choice('order', ['uncertainty', 'file'] as const, detector === null ? 'file' : 'uncertainty'),
      retrainFirst: a.integer('retrain-first', 30, 0), retrainEvery: a.integer('retrain-every', 30, 1),
      epochs: a.values.epochs === undefined ? null : a.integer('epochs', undefined, 1),
      inputSize: a.values.size === undefined ? null : a.integer('size', undefined, 32),
      seed: a.integer('seed', 1, 0), log,
    });
    log(`annotate: ${running.url} worklist ${running.items} radiographs keypoints ${keypointsPath}${detector === null ? '' : ' detector ' + detector}`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
    return 0;
  },
};
