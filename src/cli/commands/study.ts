/**
 * `spinesurv study --cohort DIR --out OUT [--config study.json] [--seed N]`: the whole clinical study
 * on one cohort, written to OUT/results.json and OUT/report.html (CLI.md).
 */
import { COMPUTE_OPTIONS } from '../compute-options.js';
import type { Command } from '../command.js';
import { parseCommand } from '../args.js';
import { loadConfig } from '../../study/config.js';
import type { StudyOutcome } from '../../study/run.js';
import { modelLabel } from '../../report/results.js';
import { version } from '../main.js';

const spec = {
  usage: 'spinesurv study',
  description:
    'Run the study on a cohort folder (cohort.csv in the CLI.md format, or mapped by --config): validate every row, ' +
    'fit CoxPH and DeepSurv for clinical models 1-3 on the training split, compare them with FRAX on the test split, ' +
    'and write OUT/results.json, OUT/report.html, the test-split predictions and the model folders.',
  options: {
    ...COMPUTE_OPTIONS,
    cohort: { type: 'string', placeholder: 'DIR', description: 'cohort folder holding cohort.csv, keypoints.json and the radiographs (or the files --config names; truth.json for a synthetic cohort)', required: true },
    out: { type: 'string', placeholder: 'OUT', description: 'output folder: new or empty (written as a whole)', required: true },
    force: { type: 'boolean', description: 'let --out replace an earlier `spinesurv study` output (never other files); its unchanged stages are reused' },
    config: { type: 'string', placeholder: 'study.json', description: 'your cohort\'s layout (cohort_file, keypoints_file, columns, codes, time_unit, include, drop_missing: docs/your-cohort.md) and analysis settings' },
    seed: { type: 'string', placeholder: 'N', description: 'seed for every random step', default: '1' },
    bootstrap: { type: 'string', placeholder: 'B', description: 'bootstrap resamples (overrides the config)' },
  },
} as const;

export const command: Command = {
  async run(argv) {
    const args = parseCommand(argv, spec);
    if (args === null) return 0;
    const configPath = args.optionalString('config');
    const config = loadConfig(configPath);
    const bootstrap = args.values.bootstrap === undefined ? undefined : args.integer('bootstrap', undefined, 2);
    if (bootstrap !== undefined) config.bootstrap = bootstrap;
    // Loaded only now, so that --help and usage errors do not wait for the engine and the plotting library.
    const { runStudy } = await import('../../study/run.js');
    const outcome = await runStudy({
      cohortDir: args.string('cohort'),
      outDir: args.string('out'),
      config,
      configPath,
      seed: args.integer('seed', 1, 0),
      force: args.flag('force'),
      version: await version(),
      command: ['spinesurv', 'study', ...argv].join(' '),
    });
    printSummary(outcome);
    return 0;
  },
};

/** The report's path and the headline C-indices with CIs, on stdout. */
export function printSummary(outcome: StudyOutcome): void {
  const lines = [`report: ${outcome.reportPath}`, `results: ${outcome.resultsPath}`, "test split Harrell's C (95% bootstrap CI):"];
  for (const m of outcome.results.test.models) {
    lines.push(`  ${m.subgroup.padEnd(5)}  ${modelLabel(m).padEnd(36)} ${m.harrell.toFixed(3)} (${m.harrell_ci95[0].toFixed(3)} to ${m.harrell_ci95[1].toFixed(3)})`);
  }
  const t = outcome.results.truth;
  if (t) {
    lines.push(`  truth  oracle (true risk) ${t.oracle_harrell.toFixed(3)}, best with the clinical covariates ${t.clinical_only_harrell.toFixed(3)}, ` +
      `best with every CSV column (bmd_tscore, frax_mof included) ${t.all_columns_harrell.toFixed(3)}`);
    const byKey = new Map(outcome.results.test.models.map((m) => [m.key, m]));
    for (const g of t.gain_share) {
      const m = byKey.get(g.key);
      if (!m || (m.method !== 'deepsurv_image' && m.method !== 'deepsurv_image_only')) continue;
      lines.push(`  share of the oracle's gain over the clinical line: ${g.subgroup.padEnd(5)} ${modelLabel(m).padEnd(36)} ` +
        `${(100 * g.share).toFixed(0)}% (${(100 * g.ci95[0]).toFixed(0)}% to ${(100 * g.ci95[1]).toFixed(0)}%)`);
    }
  }
  const c = outcome.results.compute;
  if (c) lines.push(`compute: ${c.mode} mode (kernels ${c.cpu_capability}, oneDNN up to ${c.onednn_max_isa ?? "the CPU's best"}, ${c.intra_op_threads} thread(s) per operation${c.solo_job_threads !== undefined ? `, ${c.solo_job_threads} for the detector's training` : ''})${c.threads_change_results ? '; the thread count changes the numbers' : ''}`);
  lines.push(`done in ${outcome.seconds.toFixed(1)} s`);
  process.stdout.write(lines.join('\n') + '\n');
}
