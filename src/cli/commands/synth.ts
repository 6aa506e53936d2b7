/**
 * spinesurv synth --out DIR [--patients N] [--size PX] [--seed N] [--test-fraction F] [--workers N] [--no-images] [--json]
 * Writes a synthetic cohort whose truth is known (see docs/synthetic-cohort.md).
 *
 * --test-fraction re-deals the train/test split (stratified by outcome, as the default): the default
 * keeps the study's 179 of 1,595 exactly (the generator's parameters, and so every byte of the
 * default cohort, are unchanged when it is not given); a larger test split (e.g. 0.5) gives a paired
 * comparison enough test events to show a real gap between two models.
 */
import { availableParallelism } from 'node:os';
import type { Command } from '../command.js';
import { parseCommand, printJson } from '../args.js';
import { UsageError } from '../../util/errors.js';
import { log, progress } from '../../util/progress.js';
import { checkOutputFolderArg } from '../output-paths.js';
import { DEFAULT_PARAMS, DEFAULT_PATIENTS, DEFAULT_SEED, DEFAULT_SIZE, generateCohort, SITES, siteByName, withTestFraction } from '../../synth/index.js';

const spec = {
  usage: 'spinesurv synth',
  description:
    'Generate a synthetic cohort of lateral lumbar radiographs with known truth: DIR/cohort.csv, DIR/images/*.dcm (12-bit DICOM),\n' +
    'DIR/masks/*.png (0 background, 1..5 = L1..L5), DIR/keypoints.json (COCO), DIR/truth.json, DIR/manifest.json.',
  options: {
    out: { type: 'string' as const, description: 'output folder: new or empty (written atomically)', placeholder: 'DIR', required: true },
    force: { type: 'boolean' as const, description: 'let --out replace an earlier `spinesurv synth` cohort (never other files)' },
    patients: { type: 'string' as const, description: 'number of patients', placeholder: 'N', default: String(DEFAULT_PATIENTS) },
    size: { type: 'string' as const, description: 'pixels on the long (vertical) side of each image', placeholder: 'PX', default: String(DEFAULT_SIZE) },
    seed: { type: 'string' as const, description: 'random seed (same seed, same bytes)', placeholder: 'N', default: String(DEFAULT_SEED) },
    'test-fraction': {
      type: 'string' as const,
      description: "share of patients in the test split, in (0, 1) (default: the study's 179 of 1,595)",
      placeholder: 'F',
    },
    workers: { type: 'string' as const, description: 'worker threads for rendering (default: CPU count, at most 4; 0 = none)', placeholder: 'N' },
    site: { type: 'string' as const, description: `another synthetic site, one thing changed (docs/synthetic-cohort.md): ${SITES.map((s) => s.name).join(', ')}`, placeholder: 'NAME' },
    'no-images': { type: 'boolean' as const, description: 'write only cohort.csv, truth.json and manifest.json' },
    json: { type: 'boolean' as const, description: 'print a JSON summary on stdout' },
  },
};

export const command: Command = {
  async run(argv) {
    const args = parseCommand(argv, spec);
    if (args === null) return 0;
    const patients = args.integer('patients', DEFAULT_PATIENTS, 1);
    const size = args.integer('size', DEFAULT_SIZE, 64);
    if (size > 4096) throw new UsageError(`spinesurv synth: --size must be at most 4096, got ${size}`);
    const seed = args.integer('seed', DEFAULT_SEED, 0);
    const workers = args.integer('workers', Math.min(4, availableParallelism()), 0);
    const images = !args.flag('no-images');
    const testFraction = args.optionalNumber('test-fraction');
    if (testFraction !== undefined && !(testFraction > 0 && testFraction < 1)) {
      throw new UsageError(`spinesurv synth: --test-fraction must be between 0 and 1 (exclusive), got ${testFraction}`);
    }
    const siteName = args.optionalString('site');
    const site = siteName === undefined ? undefined : siteByName(siteName);
    checkOutputFolderArg(args.string('out'), { force: args.flag('force'), createdBy: 'spinesurv synth', inputs: [] });
    const bar = progress('synth: rendering', patients);
    const summary = await generateCohort({
      out: args.string('out'),
      patients,
      size,
      seed,
      workers: images && patients >= 16 ? workers : 0,
      images,
      ...(testFraction !== undefined ? { params: withTestFraction(DEFAULT_PARAMS, testFraction) } : {}),
      ...(site ? { site } : {}),
      onProgress: (done) => bar.tick(done),
      force: args.flag('force'),
    });
    if (images) bar.done();
    const c = summary.test_concordance;
    const fmt = (x: number | null): string => (x === null ? 'n/a (no test events)' : x.toFixed(3));
    log(
      `synth: ${summary.patients} patients (train ${summary.train}, test ${summary.test}), ${summary.events} fractures (${(100 * summary.event_rate).toFixed(1)}%), ` +
        `mean follow-up ${summary.mean_followup_years.toFixed(2)} y; test C-index: oracle ${fmt(c.oracle_harrell)}, best clinical-only ${fmt(c.clinical_only_harrell)}`,
    );
    if (args.flag('json')) printJson(summary);
    return 0;
  },
};
