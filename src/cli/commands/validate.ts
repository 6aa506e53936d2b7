/**
 * `spinesurv validate --study OUT --cohort OTHER [--config study.json] --out VAL [--recalibrate intercept|slope]`
 * (CLI.md): every model of a finished study applied unchanged to another cohort, written to
 * VAL/results.json, VAL/report.html and VAL/predictions/; with --recalibrate, the models updated on
 * OTHER's training split too (VAL/models/), every figure then on OTHER's test split.
 */
import type { Command } from '../command.js';
import { parseCommand } from '../args.js';
import { COMPUTE_OPTIONS } from '../compute-options.js';
import { DEFAULT_CONFIG, loadConfig } from '../../study/config.js';
import { modelLabel } from '../../report/results.js';
import { version } from '../main.js';

const spec = {
  usage: 'spinesurv validate',
  description:
    "Apply every model of a finished study (CoxPH and DeepSurv models 1-3, the image models, image only, FRAX) unchanged to another site's " +
    "cohort, with the study's keypoint detector and preprocessing, and report per model and subgroup Harrell's and Uno's C, AUC(t), " +
    'O/E and calibration slope at each horizon, a smoothed calibration curve, net benefit against treat-all and treat-none, and the ' +
    "change in C from the development site, each with bootstrap CIs. --recalibrate updates each fitted model on the new site's training " +
    'split (the baseline hazard, or the slope and the baseline) and judges before and after on its test split.',
  options: {
    ...COMPUTE_OPTIONS,
    study: { type: 'string', placeholder: 'OUT', description: 'a finished study folder (`spinesurv study --out OUT`), made by this version', required: true },
    cohort: { type: 'string', placeholder: 'OTHER', description: "the new site's cohort folder (cohort.csv, images)", required: true },
    out: { type: 'string', placeholder: 'VAL', description: 'output folder: new or empty (written as a whole)', required: true },
    config: { type: 'string', placeholder: 'study.json', description: "the new site's columns and codes, horizons and bootstrap (default: the standard columns, the study's horizons and bootstrap)" },
    recalibrate: { type: 'string', placeholder: 'intercept|slope', description: "update each fitted model on the new site's training split: the baseline hazard (intercept), or the linear predictor's slope and the baseline (slope)" },
    bootstrap: { type: 'string', placeholder: 'B', description: 'bootstrap resamples (overrides the config and the study)' },
    seed: { type: 'string', placeholder: 'N', description: 'seed for the bootstrap', default: '1' },
    force: { type: 'boolean', description: 'let --out replace an earlier `spinesurv validate` output (never other files)' },
  },
} as const;

export const command: Command = {
  async run(argv) {
    const args = parseCommand(argv, spec);
    if (args === null) return 0;
    const configPath = args.optionalString('config');
    const recalibrate = args.optionalString('recalibrate') === undefined ? null : args.choice('recalibrate', ['intercept', 'slope'] as const, 'intercept');
    const bootstrap = args.values.bootstrap === undefined ? undefined : args.integer('bootstrap', undefined, 2);
    const config = configPath === undefined ? null : loadConfig(configPath);
    const { runValidation } = await import('../../study/validate/run.js');
    const outcome = await runValidation({
      studyDir: args.string('study'),
      cohortDir: args.string('cohort'),
      outDir: args.string('out'),
      config,
      defaults: structuredClone(DEFAULT_CONFIG),
      configPath,
      recalibrate,
      bootstrap,
      seed: args.integer('seed', 1, 0),
      force: args.flag('force'),
      version: await version(),
      command: ['spinesurv', 'validate', ...argv].join(' '),
    });
    const lines = [`report: ${args.string('out')}/report.html`, `results: ${args.string('out')}/results.json`, "Harrell's C at the new site (95% CI), change from the development site:"];
    for (const m of outcome.results.test.models) {
      const d = m.development_difference;
      lines.push(`  ${m.subgroup.padEnd(5)}  ${(modelLabel(m) + (m.recalibrated ? ` (updated: ${m.recalibrated})` : '')).padEnd(48)} ${m.harrell.toFixed(3)} (${m.harrell_ci95[0].toFixed(3)} to ${m.harrell_ci95[1].toFixed(3)}), ` +
        `${d.difference >= 0 ? '+' : ''}${d.difference.toFixed(3)} (${d.ci95[0].toFixed(3)} to ${d.ci95[1].toFixed(3)})`);
    }
    lines.push(`done in ${outcome.seconds.toFixed(1)} s`);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
