/**
 * `spinesurv cox --data F.csv --time COL --event COL --covariates A,B,C [--ties efron|breslow]
 * [--strata COL] [--weights COL] [--ridge THETA] [--out DIR] [--json]`: fits a Cox model (R's coxph
 * algorithm) and prints the CLI.md JSON summary, or a readable table. --out saves the model folder
 * that `spinesurv predict` reads.
 */
import type { Command } from '../command.js';
import { UsageError } from '../../util/errors.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { delimiterOption, eventValue, eventValueOption, readDataCsv, referenceLevels, referenceOption } from '../data-options.js';
import { checkCovariateCount, formatP, formatPEquals, rowCount } from '../wording.js';
import { log } from '../../util/progress.js';
import { coxph, saveCoxModel, type CoxFit } from '../../survival/index.js';
import { COX_MODEL_WRITER } from '../../survival/cox/model-file.js';
import { checkOutputFolderArg } from '../output-paths.js';
import { readSurvivalColumns } from '../../survival/csv-input.js';
import { version } from '../main.js';

const spec: CommandSpec = {
  usage: 'spinesurv cox',
  description: 'Fit a Cox proportional-hazards model (Newton-Raphson as R survival::coxph; Efron ties by default).',
  options: {
    data: { type: 'string', description: 'input CSV', placeholder: 'F.csv', required: true },
    time: { type: 'string', description: 'follow-up time column', placeholder: 'COL', required: true },
    event: { type: 'string', description: 'event column (1 = event, 0 = censored; R\'s 1/2 is found)', placeholder: 'COL', required: true },
    covariates: { type: 'string', description: 'comma-separated covariate columns; a text column becomes dummies named as R names them (sexM)', placeholder: 'A,B,C', required: true },
    ...referenceOption,
    ...eventValueOption,
    ...delimiterOption,
    ties: { type: 'string', description: 'efron or breslow', placeholder: 'METHOD', default: 'efron' },
    strata: { type: 'string', description: 'stratify the baseline hazard by this column', placeholder: 'COL' },
    weights: { type: 'string', description: 'case-weight column', placeholder: 'COL' },
    ridge: { type: 'string', description: "ridge penalty theta on the standardised coefficients, loglik - theta/2 * sum((beta_j * sd_j)^2), as R's ridge(..., theta, scale = TRUE)", placeholder: 'THETA' },
    'ridge-scale': { type: 'string', description: "true: penalise beta_j * sd_j (R's default); false: penalise beta_j itself, as R's ridge(scale = FALSE)", placeholder: 'true|false', default: 'true' },
    robust: { type: 'boolean', description: 'robust (sandwich) SEs; on by default with non-integer --weights, as R' },
    'max-iter': { type: 'string', description: 'maximum Newton-Raphson iterations', placeholder: 'N', default: '20' },
    'drop-missing': { type: 'boolean', description: 'skip rows with a missing value in a used column' },
    out: { type: 'string', description: 'save a model folder for `spinesurv predict` (a new or empty folder)', placeholder: 'DIR' },
    force: { type: 'boolean', description: 'let --out replace an earlier `spinesurv cox` model folder (never other files)' },
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
};

/** The CLI.md JSON summary (also stored as "fit" in the model folder). */
export function coxSummary(fit: CoxFit, covariates: string[], strata?: string): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    n: fit.n,
    nevent: fit.nevent,
    ties: fit.ties,
    covariates,
    coef: fit.coef,
    se: fit.se,
    hr: fit.hr,
    hr_ci95: fit.hrCi95,
    p: fit.p,
    loglik: fit.loglik,
    loglik0: fit.loglik0,
    concordance: fit.concordance?.c ?? null,
    concordance_se: fit.concordance?.se ?? null,
    lr_test: fit.lrTest,
    iterations: fit.iterations,
    converged: fit.converged,
    robust: fit.robust,
    warnings: fit.warnings,
  };
  if (strata !== undefined) summary.strata = { column: strata, levels: fit.strataLevels };
  if (fit.penalty > 0) summary.penalty = fit.penalty;
  return summary;
}

function formatTable(fit: CoxFit, covariates: string[]): string {
  const f = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2));
  const width = Math.max(9, ...covariates.map((c) => c.length));
  const lines = [
    `Cox model (${fit.ties} ties): n = ${fit.n}, events = ${fit.nevent}`,
    '',
    `${'covariate'.padEnd(width)}  ${['coef', 'se', 'HR', 'HR 95% CI', 'p'].map((h, k) => h.padStart(k === 3 ? 19 : 10)).join('')}`,
  ];
  covariates.forEach((c, j) => {
    const ci = `${f(fit.hrCi95[j][0])}-${f(fit.hrCi95[j][1])}`;
    lines.push(`${c.padEnd(width)}  ${[f(fit.coef[j]), f(fit.se[j]), f(fit.hr[j])].map((s) => s.padStart(10)).join('')}${ci.padStart(19)}${formatP(fit.p[j]).padStart(10)}`);
  });
  lines.push('');
  lines.push(`log-likelihood ${fit.loglik.toFixed(4)} (null ${fit.loglik0.toFixed(4)}); LR test ${fit.lrTest.statistic.toFixed(3)} on ${fit.lrTest.df} df, p ${formatPEquals(fit.lrTest.p)}`);
  if (fit.concordance) lines.push(`concordance ${fit.concordance.c.toFixed(4)} (se ${fit.concordance.se.toFixed(4)})`);
  lines.push(`${fit.converged ? 'converged' : 'NOT converged'} in ${fit.iterations} iterations`);
  return lines.join('\n') + '\n';
}

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const covariates = a.list('covariates');
    const ties = a.choice('ties', ['efron', 'breslow'] as const, 'efron');
    const strata = a.optionalString('strata');
    const weights = a.optionalString('weights');
    const ridge = a.optionalNumber('ridge');
    if (ridge !== undefined && !(ridge >= 0)) throw new UsageError(`${spec.usage}: --ridge must be >= 0, got ${ridge}`);
    const ridgeScale = a.choice('ridge-scale', ['true', 'false'] as const, 'true') === 'true';
    if (a.values['ridge-scale'] !== undefined && argv.some((x) => x.startsWith('--ridge-scale')) && ridge === undefined) {
      throw new UsageError(`${spec.usage}: --ridge-scale applies to --ridge; give --ridge THETA too`);
    }
    const maxIter = a.integer('max-iter', 20, 1);
    const out = a.optionalString('out');
    if (out !== undefined) checkOutputFolderArg(out, { force: a.flag('force'), createdBy: COX_MODEL_WRITER, inputs: [a.string('data')] });
    const table = readDataCsv(a);
    const cols = readSurvivalColumns(table, {
      time: a.string('time'),
      event: a.string('event'),
      covariates,
      reference: referenceLevels(a),
      numeric: weights ? [weights] : [],
      labels: strata ? [strata] : [],
      dropMissing: a.flag('drop-missing'),
      eventValue: eventValue(a),
    });
    for (const note of cols.notes) log(`cox: ${note}`);
    if (cols.dropped > 0) log(`cox: dropped ${rowCount(cols.dropped)} with missing values`);
    for (const f of cols.factors) log(`cox: ${f.column} is text: dummies ${f.dummies.join(', ')} against the reference level "${f.reference}"`);
    checkCovariateCount(cols.designNames.length, cols.n, table.source);
    const names = cols.designNames;
    const fit = coxph({
      time: cols.time,
      event: cols.event,
      covariates: cols.design,
      names,
      weights: weights ? cols.numeric[0] : undefined,
      strata: strata ? cols.labels[0] : undefined,
      ties,
      ridge,
      ridgeScale,
      maxIter,
      robust: a.flag('robust') ? true : undefined,
    });
    for (const w of fit.warnings) log(`cox: warning: ${w}`);
    const summary = coxSummary(fit, names, strata);
    if (cols.factors.length > 0) summary.factors = cols.factors;
    if (out !== undefined) {
      await saveCoxModel(out, fit, names, { summary, version: await version(), strataColumn: strata, force: a.flag('force') });
      log(`cox: model saved to ${out}`);
    }
    if (a.flag('json')) printJson(summary);
    else process.stdout.write(formatTable(fit, names));
    return 0;
  },
};
