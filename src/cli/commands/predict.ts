/**
 * `spinesurv predict --model DIR --data F.csv --out P.csv [--times t1,t2,...]`: scores every row of
 * F.csv with a saved model folder (Cox or DeepSurv). P.csv keeps the input rows and columns in order
 * and adds `risk` (log hazard ratio, higher = riskier; for Cox the uncentred x'beta) and one `surv_<t>`
 * column per --times value. --drop-missing leaves out rows with a missing value in a column the model reads.
 * An image model folder (kind deepsurv_image) goes to ../predict-image.ts: `--image FILE` scores one
 * radiograph, `--data` a CSV with an `image` column.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { readModelJson } from '../../models/model-json.js';
import type { FactorCoding } from '../../survival/design-columns.js';
import { delimiterOption, readDataCsv } from '../data-options.js';
import { rowCount } from '../wording.js';
import { InputError, UsageError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import { checkOutputFileArg } from '../output-paths.js';
import { CLINICAL_FLAGS } from '../clinical-flags.js';

/** The text covariates' coding a Cox model was fitted with (model.json "fit.factors"), if any. */
function storedFactors(dir: string): FactorCoding[] {
  const json = readModelJson(dir).json as { fit?: { factors?: FactorCoding[] } };
  return json.fit?.factors ?? [];
}

const spec: CommandSpec = {
  usage: 'spinesurv predict',
  description:
    "Score rows with a saved model (coxph, deepsurv or image model folder): adds risk and surv_<t> columns. risk is the log hazard ratio, " +
    "higher = riskier; for a Cox model it is the uncentred linear predictor x'beta (R: predict(fit, type = \"lp\", reference = \"zero\")), " +
    'and surv_<t> = S0(t)^exp(risk) from the stored uncentred baseline. With an image model, --image scores one radiograph.',
  options: {
    model: { type: 'string', description: 'model folder (from `spinesurv cox --out`, `spinesurv deepsurv fit` or `spinesurv imagesurv fit`)', placeholder: 'DIR', required: true },
    data: { type: 'string', description: 'input CSV with the model\'s covariate columns (and `image` for an image model)', placeholder: 'F.csv' },
    out: { type: 'string', description: 'output CSV (never one of the inputs; with --data)', placeholder: 'P.csv' },
    'drop-missing': { type: 'boolean', description: 'leave out rows with a missing value in a column the model reads (default: such a row is an error)' },
    ...delimiterOption,
    times: { type: 'string', description: 'comma-separated times for survival probabilities', placeholder: 't1,t2' },
    image: { type: 'string', description: 'image model: score this one radiograph (DICOM or image file)', placeholder: 'FILE' },
    keypoints: { type: 'string', description: 'image model: use these L1..L5 keypoints instead of the model\'s detector: a `landmarks predict` or COCO keypoints JSON, or x1,y1,...,x5,y5', placeholder: 'KP' },
    heatmap: { type: 'string', description: 'image model with --image: write the Grad-CAM overlay PNG here', placeholder: 'OUT.png' },
    ...Object.fromEntries(CLINICAL_FLAGS.map((c) => [c, { type: 'string' as const, description: `image model with --image: the patient's ${c} (as the cohort.csv column)`, placeholder: c === 'sex' ? 'F|M' : 'X' }])),
    json: { type: 'boolean', description: 'print a JSON summary on stdout' },
  },
};

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const timeTokens = a.optionalList('times') ?? [];
    const times = a.numberList('times') ?? [];
    for (const t of times) if (t < 0) throw new UsageError(`${spec.usage}: --times must be >= 0, got ${t}`);
    const { kind, json: modelJson } = readModelJson(a.string('model'));
    // Each kind loads its own code only: an image model never loads the tabular predictors, and a
    // Cox model never loads libtorch.
    if (kind === 'deepsurv_image') return (await import('../predict-image.js')).predictWithImageModel(a, a.string('model'), modelJson);
    for (const name of ['data', 'out']) if (a.optionalString(name) === undefined) throw new UsageError(`${spec.usage}: --${name} is required`);
    for (const name of ['image', 'keypoints', 'heatmap', ...CLINICAL_FLAGS]) {
      if (a.optionalString(name) !== undefined) throw new UsageError(`${spec.usage}: --${name} applies only to image models (this is a ${kind} model)`);
    }
    checkOutputFileArg(a.string('out'), [a.string('data'), a.string('model')]);
    const [{ loadPredictor }, { designMatrix }, { writeCsv }] = await Promise.all([
      import('../../models/predictor.js'),
      import('../../models/tabular.js'),
      import('../../util/csv.js'),
    ]);
    const predictor = await loadPredictor(a.string('model'));
    try {
      const whole = readDataCsv(a);
      const factors = storedFactors(a.string('model'));
      const used = [...new Set([...predictor.covariates.map((c) => factors.find((f) => f.dummies.includes(c))?.column ?? c), ...(predictor.strataColumn ? [predictor.strataColumn] : [])])];
      const usedIdx = used.map((c) => whole.columnIndex(c));
      const table = a.flag('drop-missing') ? whole.filterRows((i) => usedIdx.every((j) => !whole.isMissing(i, j))) : whole;
      if (table.length < whole.length) log(`predict: left out ${rowCount(whole.length - table.length)} with a missing value`);
      if (table.length === 0) throw new InputError(`${whole.source}: no rows left after dropping those with missing values`);
      for (const name of ['risk', ...timeTokens.map((t) => `surv_${t}`)]) {
        if (table.has(name)) throw new InputError(`${table.source}: already has a column "${name}" (predict would overwrite it)`);
      }
      let x: Float64Array;
      try {
        x = designMatrix(table, predictor.covariates, factors);
      } catch (error) {
        if (error instanceof InputError && error.message.endsWith('missing value')) throw new InputError(`${error.message} (pass --drop-missing to leave out such rows)`);
        throw error;
      }
      const strata = predictor.strataColumn ? table.strings(predictor.strataColumn) : undefined;
      const risk = predictor.risk(x, table.length);
      const rows = table.rows.map((row, i) => {
        const surv = times.map((t) => predictor.survival(risk[i], t, strata?.[i]));
        return [...row, risk[i], ...surv];
      });
      writeCsv(a.string('out'), [...table.header, 'risk', ...timeTokens.map((t) => `surv_${t}`)], rows);
      log(`predict: ${rowCount(table.length)} scored with a ${predictor.kind} model -> ${a.string('out')}`);
      if (a.flag('json')) printJson({ n: table.length, kind: predictor.kind, covariates: predictor.covariates, times, out: a.string('out') });
      return 0;
    } finally {
      predictor.dispose();
    }
  },
};
