/**
 * `spinesurv demo [--out OUT] [--seed N]`: the whole study on the built-in synthetic cohort, in one
 * command. OUT/cohort is the cohort (`spinesurv synth` at its defaults: 1,595 patients, 1024 px
 * radiographs), OUT/study the study (`spinesurv study`). A cohort already in OUT/cohort made with the
 * same settings and unchanged since is reused, so a second run only redoes the study. Progress goes
 * to stderr; stdout gets the report's path and the headline C-indices with their CIs.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { COMPUTE_OPTIONS } from '../compute-options.js';
import type { Command } from '../command.js';
import { parseCommand } from '../args.js';
import { log, progress } from '../../util/progress.js';
import { DEFAULT_CONFIG, imageSettings } from '../../study/config.js';
import { UsageError } from '../../util/errors.js';
import { printSummary } from './study.js';
import { version } from '../main.js';
import { isReusableCohort } from '../../synth/reuse.js';
import { checkOutputFolder } from '../../util/output-folder.js';
import { InputError } from '../../util/errors.js';
import { existsSync, statSync } from 'node:fs';

const spec = {
  usage: 'spinesurv demo',
  description:
    'Generate the default synthetic cohort (1,595 patients with lumbar radiographs and known truth) into OUT/cohort, ' +
    'run the study on it into OUT/study, and print the report path and the headline C-indices.',
  options: {
    ...COMPUTE_OPTIONS,
    out: { type: 'string', placeholder: 'OUT', description: 'output folder', default: 'demo-out' },
    seed: { type: 'string', placeholder: 'N', description: 'seed for the cohort and the study (same seed, same numbers)', default: '1' },
    patients: { type: 'string', placeholder: 'N', description: 'patients in the synthetic cohort', default: '1595' },
    size: { type: 'string', placeholder: 'PX', description: 'radiograph size (long side)', default: '1024' },
    bootstrap: { type: 'string', placeholder: 'B', description: 'bootstrap resamples', default: String(DEFAULT_CONFIG.bootstrap) },
    fresh: { type: 'boolean', description: 'regenerate the cohort even if OUT/cohort matches' },
    profile: {
      type: 'string',
      placeholder: 'cpu|paper',
      description: 'sizes of the image half: cpu (small enough for two cores) or paper (HRNet-W32, 384 px variants: for a GPU)',
      default: 'cpu',
    },
  },
} as const;

export const command: Command = {
  async run(argv) {
    const args = parseCommand(argv, spec);
    if (args === null) return 0;
    const out = resolve(args.optionalString('out') ?? 'demo-out');
    const seed = args.integer('seed', 1, 0);
    const patients = args.integer('patients', 1595, 20);
    const size = args.integer('size', 1024, 64);
    const bootstrap = args.integer('bootstrap', DEFAULT_CONFIG.bootstrap, 2);
    const profile = args.optionalString('profile') ?? 'cpu';
    if (profile !== 'cpu' && profile !== 'paper') throw new UsageError(`--profile must be cpu or paper, got "${profile}"`);
    const toolVersion = await version();
    const started = Date.now();

    const cohortDir = join(out, 'cohort');
    const studyDir = join(out, 'study');
    // Both subfolders are checked before the long cohort render: each may only be the demo's own earlier
    // output (replaced on every run) or missing/empty; a user's files there stop the demo at once.
    if (existsSync(out) && !statSync(out).isDirectory()) throw new InputError(`${out}: exists and is not a folder; choose a folder name for --out`);
    checkOutputFolder(cohortDir, { force: true, createdBy: 'spinesurv synth' });
    checkOutputFolder(studyDir, { force: true, createdBy: 'spinesurv study' });
    if (!args.flag('fresh') && isReusableCohort(cohortDir, { patients, size, seed })) {
      log(`demo: reusing the synthetic cohort in ${cohortDir} (same settings, unchanged; --fresh to regenerate)`);
    } else {
      log(`demo: generating the synthetic cohort: ${patients} patients, ${size} px radiographs, seed ${seed}`);
      const { generateCohort } = await import('../../synth/index.js');
      const bar = progress('demo: rendering radiographs', patients);
      const summary = await generateCohort({
        out: cohortDir,
        patients,
        size,
        seed,
        workers: Math.min(4, availableParallelism()),
        onProgress: (done) => bar.tick(done),
        force: true, // OUT/cohort is the demo's own output (never a user's files: output-folder.ts)
      });
      bar.done();
      log(`demo: cohort: ${summary.patients} patients (train ${summary.train}, test ${summary.test}), ${summary.events} fractures`);
    }

    const { runStudy } = await import('../../study/run.js');
    const config = structuredClone(DEFAULT_CONFIG);
    config.bootstrap = bootstrap;
    config.images = imageSettings(profile);
    const outcome = await runStudy({
      cohortDir,
      outDir: studyDir,
      config,
      seed,
      version: toolVersion,
      command: ['spinesurv', 'demo', ...argv].join(' '),
      // OUT/study is the demo's own output: replaced on every run (still never over a user's files).
      force: true,
    });
    printSummary({ ...outcome, seconds: (Date.now() - started) / 1000 });
    return 0;
  },
};
