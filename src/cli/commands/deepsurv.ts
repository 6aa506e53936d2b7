/**
 * `spinesurv deepsurv fit` and `spinesurv deepsurv search`: DeepSurv on tabular covariates from a CSV.
 *   fit     trains one network (or, with --search N, the best of N random configurations by k-fold CV)
 *           and writes a model folder that `spinesurv predict` reads.
 *   search  random search with k-fold CV on the data; prints the trials; with --out also fits the best.
 * Progress goes to stderr; --json prints one JSON summary on stdout. The engine (libtorch) is loaded
 * only after the arguments and the data have been checked, so bad input fails fast.
 */
import { COMPUTE_OPTIONS } from '../compute-options.js';
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec, type OptionSpec, type ParsedArgs } from '../args.js';
import { parseCsv, parseDelimiter, readInputFile } from '../../util/csv.js';
import { delimiterOption } from '../data-options.js';
import { checkCovariateCount, plural, rowCount } from '../wording.js';
import { UsageError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import { loadSurvivalTable } from '../../models/tabular.js';
import { DEEPSURV_MODEL_WRITER, DEFAULT_CONFIG, validateConfig, type DeepSurvConfig } from '../../models/deepsurv/config.js';
import type { SearchResult } from '../../models/deepsurv/search.js';
import type { EpochLog } from '../../models/train-cox.js';
import { createHash } from 'node:crypto';
import { version } from '../main.js';
import { checkOutputFolderArg } from '../output-paths.js';

const d = DEFAULT_CONFIG;
const dataOptions: Record<string, OptionSpec> = {
  data: { type: 'string', description: 'input CSV (header row)', placeholder: 'F.csv', required: true },
  time: { type: 'string', description: 'follow-up time column', placeholder: 'COL', required: true },
  event: { type: 'string', description: 'event column (1 event, 0 censored)', placeholder: 'COL', required: true },
  covariates: { type: 'string', description: 'comma-separated covariate columns', placeholder: 'A,B,C', required: true },
  'drop-missing': { type: 'boolean', description: 'leave out rows with a missing value in a used column' },
  ...delimiterOption,
  seed: { type: 'string', description: 'seed for initialisation, splits, batches and dropout', placeholder: 'N', default: '1' },
  json: { type: 'boolean', description: 'print one JSON summary on stdout' },
};
const modelOptions: Record<string, OptionSpec> = {
  layers: { type: 'string', description: 'hidden layers', placeholder: 'N', default: String(d.layers) },
  width: { type: 'string', description: 'units per hidden layer', placeholder: 'N', default: String(d.width) },
  activation: { type: 'string', description: 'relu or selu', placeholder: 'NAME', default: d.activation },
  dropout: { type: 'string', description: 'dropout probability', placeholder: 'P', default: String(d.dropout) },
  'batch-norm': { type: 'boolean', description: 'batch normalisation after each hidden Linear' },
  optimizer: { type: 'string', description: 'adam or sgd (SGD uses Nesterov momentum)', placeholder: 'NAME', default: d.optimizer },
  lr: { type: 'string', description: 'learning rate', placeholder: 'X', default: String(d.learningRate) },
  momentum: { type: 'string', description: 'SGD momentum', placeholder: 'X', default: String(d.momentum) },
  'lr-decay': { type: 'string', description: 'lr / (1 + decay * epoch)', placeholder: 'X', default: String(d.lrDecay) },
  l2: { type: 'string', description: 'L2 penalty on weights', placeholder: 'X', default: String(d.l2) },
  epochs: { type: 'string', description: 'maximum epochs', placeholder: 'N', default: String(d.epochs) },
  'batch-size': { type: 'string', description: 'rows per minibatch, 0 = full batch (minibatches keep events in every batch)', placeholder: 'N', default: String(d.batchSize) },
  validation: { type: 'string', description: 'fraction held out for early stopping by C-index (0 = none)', placeholder: 'F', default: String(d.validationFraction) },
  patience: { type: 'string', description: 'epochs without a better validation C before stopping', placeholder: 'N', default: String(d.patience) },
  ties: { type: 'string', description: 'efron or breslow (Cox loss)', placeholder: 'NAME', default: d.ties },
};
const searchOptions: Record<string, OptionSpec> = {
  folds: { type: 'string', description: 'cross-validation folds for the search', placeholder: 'K', default: '3' },
};

const fitSpec: CommandSpec = {
  usage: 'spinesurv deepsurv fit',
  description: 'Train a DeepSurv network on tabular covariates and save a model folder (weights.safetensors + model.json).',
  options: {
    ...COMPUTE_OPTIONS,
    ...dataOptions,
    out: { type: 'string', description: 'model folder to write (a new or empty folder)', placeholder: 'DIR', required: true },
    force: { type: 'boolean', description: 'let --out replace an earlier `spinesurv deepsurv` model folder (never other files)' },
    ...modelOptions,
    search: { type: 'string', description: 'first pick the configuration by a random search of N trials (k-fold CV)', placeholder: 'N' },
    ...searchOptions,
  },
};
const searchSpec: CommandSpec = {
  usage: 'spinesurv deepsurv search',
  description: 'Random hyperparameter search with k-fold cross-validation (seeded); the fixed options are the base the search varies.',
  options: {
    ...COMPUTE_OPTIONS,
    ...dataOptions,
    trials: { type: 'string', description: 'number of random configurations', placeholder: 'N', default: '10' },
    out: { type: 'string', description: 'also fit the best configuration on all rows and save it here (a new or empty folder)', placeholder: 'DIR' },
    force: { type: 'boolean', description: 'let --out replace an earlier `spinesurv deepsurv` model folder (never other files)' },
    ...modelOptions,
    ...searchOptions,
  },
};

/** The flag that sets each DeepSurvConfig field, for messages. */
const FLAG_OF_FIELD: Record<string, string> = {
  layers: '--layers', width: '--width', activation: '--activation', dropout: '--dropout', batchNorm: '--batch-norm',
  optimizer: '--optimizer', learningRate: '--lr', momentum: '--momentum', lrDecay: '--lr-decay', l2: '--l2', epochs: '--epochs',
  batchSize: '--batch-size', validationFraction: '--validation', patience: '--patience', ties: '--ties',
};

function configFrom(a: ParsedArgs, usage: string): DeepSurvConfig {
  const config: DeepSurvConfig = {
    layers: a.integer('layers', d.layers, 0),
    width: a.integer('width', d.width, 1),
    activation: a.choice('activation', ['relu', 'selu'] as const, d.activation),
    dropout: a.number('dropout', d.dropout),
    batchNorm: a.flag('batch-norm'),
    optimizer: a.choice('optimizer', ['adam', 'sgd'] as const, d.optimizer),
    learningRate: a.number('lr', d.learningRate),
    momentum: a.number('momentum', d.momentum),
    lrDecay: a.number('lr-decay', d.lrDecay),
    l2: a.number('l2', d.l2),
    epochs: a.integer('epochs', d.epochs, 1),
    batchSize: a.integer('batch-size', d.batchSize, 0),
    validationFraction: a.number('validation', d.validationFraction),
    patience: a.integer('patience', d.patience, 1),
    ties: a.choice('ties', ['efron', 'breslow'] as const, d.ties),
  };
  try {
    return validateConfig(config);
  } catch (error) {
    // The config speaks in field names (learningRate); the user typed flags (--lr).
    const message = (error as Error).message.replace(/^deepsurv: (\w+)/, (_, field: string) => FLAG_OF_FIELD[field] ?? field);
    throw new UsageError(`${usage}: ${message}`);
  }
}

function loadData(a: ParsedArgs) {
  const path = a.string('data');
  const covariates = a.list('covariates');
  // One read: the recorded hash is of the very bytes that were fitted.
  const bytes = readInputFile(path);
  const d = a.optionalString('delimiter');
  const loaded = loadSurvivalTable(parseCsv(bytes, path, { delimiter: d === undefined ? undefined : parseDelimiter(d) }), { time: a.string('time'), event: a.string('event'), covariates, dropMissing: a.flag('drop-missing') });
  checkCovariateCount(covariates.length, loaded.data.n, path);
  if (loaded.dropped > 0) log(`${path}: left out ${rowCount(loaded.dropped)} with missing values`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { path, sha256, time: a.string('time'), event: a.string('event'), covariates, ...loaded };
}

function epochLogger(every = 25): (e: EpochLog) => void {
  return (e) => {
    if (e.epoch % every !== 0) return;
    const val = e.valC === undefined ? '' : ` val_loss ${e.valLoss!.toFixed(4)} val_C ${e.valC.toFixed(4)}`;
    log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(4)}${val}`);
  };
}

async function runSearch(a: ParsedArgs, data: ReturnType<typeof loadData>, base: DeepSurvConfig, trials: number, seed: number): Promise<SearchResult> {
  const { searchDeepSurv } = await import('../../models/deepsurv/search.js');
  const folds = a.integer('folds', 3, 2);
  log(`search: ${plural(trials, 'trial')}, ${folds}-fold CV on ${rowCount(data.data.n)}`);
  return searchDeepSurv(data.data, {
    covariates: data.covariates,
    trials,
    folds,
    seed,
    base,
    onTrial: (t) => log(`trial ${t.trial}/${trials}: mean C ${t.meanC.toFixed(4)} (sd ${t.sdC.toFixed(4)}) layers ${t.config.layers} width ${t.config.width} ${t.config.activation} dropout ${t.config.dropout.toFixed(2)} l2 ${t.config.l2.toExponential(1)} lr ${t.config.learningRate.toExponential(1)} in ${t.seconds.toFixed(1)} s`),
  });
}

/** Checks --out before any data is read or trained on, so a refusal comes at once. */
function checkOut(a: ParsedArgs): string | undefined {
  const out = a.optionalString('out');
  if (out !== undefined) checkOutputFolderArg(out, { force: a.flag('force'), createdBy: DEEPSURV_MODEL_WRITER, inputs: [a.string('data')] });
  return out;
}

async function fitAndSave(out: string, force: boolean, data: ReturnType<typeof loadData>, config: DeepSurvConfig, seed: number, search: SearchResult | null) {
  const { fitDeepSurv } = await import('../../models/deepsurv/fit.js');
  const { saveDeepSurvModel } = await import('../../models/deepsurv/folder.js');
  log(`fit: ${rowCount(data.data.n)}, ${plural(data.covariates.length, 'covariate')}, ${config.layers} x ${config.width} ${config.activation}`);
  const model = fitDeepSurv(data.data, { covariates: data.covariates, config, seed, onEpoch: epochLogger() });
  try {
    const t = model.training!;
    log(`fit: ${t.epochsRun} epochs, kept epoch ${t.bestEpoch}${t.bestValC === null ? '' : ` (validation C ${t.bestValC.toFixed(4)})`}, ${t.seconds.toFixed(1)} s`);
    await saveDeepSurvModel(out, model, {
      created_by: `spinesurv ${await version()}`,
      data: data.path,
      data_sha256: data.sha256,
      time: data.time,
      event: data.event,
      rows_used: data.data.n,
      rows_dropped: data.dropped,
      search: search === null ? null : { trials: search.trials.length, folds: search.folds, best_trial: search.best.trial, best_mean_c: search.best.meanC },
    }, { force });
    log(`saved ${out}`);
    return { out, n: data.data.n, nevent: t.nevent, covariates: data.covariates, epochs: t.epochsRun, best_epoch: t.bestEpoch, validation_c: t.bestValC, seconds: t.seconds, config };
  } finally {
    model.dispose();
  }
}

async function fit(argv: string[]): Promise<number> {
  const a = parseCommand(argv, fitSpec);
  if (a === null) return 0;
  const seed = a.integer('seed', 1, 0);
  let config = configFrom(a, fitSpec.usage);
  const out = checkOut(a)!;
  const data = loadData(a);
  const trials = a.optionalNumber('search');
  let search: SearchResult | null = null;
  if (trials !== undefined) {
    if (!Number.isInteger(trials) || trials < 1) throw new UsageError(`${fitSpec.usage}: --search must be an integer >= 1`);
    search = await runSearch(a, data, config, trials, seed);
    config = search.best.config;
  }
  const summary = await fitAndSave(out, a.flag('force'), data, config, seed, search);
  if (a.flag('json')) printJson(search === null ? summary : { ...summary, search: search.trials.map((t) => ({ trial: t.trial, mean_c: t.meanC, sd_c: t.sdC, fold_c: t.foldC })) });
  return 0;
}

async function search(argv: string[]): Promise<number> {
  const a = parseCommand(argv, searchSpec);
  if (a === null) return 0;
  const seed = a.integer('seed', 1, 0);
  const base = configFrom(a, searchSpec.usage);
  const out = checkOut(a);
  const data = loadData(a);
  const result = await runSearch(a, data, base, a.integer('trials', 10, 1), seed);
  const fitted = out === undefined ? null : await fitAndSave(out, a.flag('force'), data, result.best.config, seed, result);
  const summary = {
    n: data.data.n,
    folds: result.folds,
    seed,
    trials: result.trials.map((t) => ({ trial: t.trial, mean_c: t.meanC, sd_c: t.sdC, fold_c: t.foldC, seconds: t.seconds, config: t.config })),
    best: { trial: result.best.trial, mean_c: result.best.meanC, config: result.best.config },
    model: fitted,
  };
  if (a.flag('json')) printJson(summary);
  else process.stdout.write(`best trial ${result.best.trial}: mean C ${result.best.meanC.toFixed(4)}\n${JSON.stringify(result.best.config)}\n`);
  return 0;
}

const HELP = `Usage: spinesurv deepsurv <fit|search> [options]   (spinesurv deepsurv fit --help for the options)

  fit     train a DeepSurv network and save a model folder for \`spinesurv predict\`
  search  random hyperparameter search with k-fold cross-validation
`;

export const command: Command = {
  run: (argv) => runSubcommand(argv, HELP, { fit, search }),
};
