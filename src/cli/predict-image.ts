/**
 * The image-model path of `spinesurv predict` (CLI.md "predict with an image model"):
 *   --image FILE [--age .. --sex F|M ...] [--keypoints KP] [--heatmap OUT.png] [--json]
 *   --data F.csv --out P.csv [--keypoints KP.json] [--times t1,t2]   (an `image` column per row)
 * Keypoints: a `landmarks predict` results list (the entry whose file_name is the image as given,
 * or its only entry) or ten numbers x1,y1,...,x5,y5. There is no built-in detector in this version
 * yet, so without --keypoints the command stops with exit 2 and says so.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { printJson, type ParsedArgs } from './args.js';
import { readCsv, writeCsv, CsvTable } from '../util/csv.js';
import { InputError, UsageError } from '../util/errors.js';
import { log } from '../util/progress.js';
import { refuseOverwritingInput } from '../util/output-folder.js';

/** The clinical flags predict accepts, named as the cohort.csv columns. */
export const CLINICAL_FLAGS = ['age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis', 'prior_fracture'];

type Keypoints = { keypoints: number[]; flags: string[] };

function keypointsFor(spec: string | undefined, image: string, entries: Map<string, Keypoints> | null, where: string): Keypoints {
  if (spec === undefined) {
    throw new InputError(`${where}: no keypoints; this version has no built-in keypoint detector yet: give --keypoints KP.json (from \`spinesurv landmarks predict\`) or --keypoints x1,y1,...,x5,y5`);
  }
  if (entries === null) {
    const values = spec.split(',').map((s) => Number(s.trim()));
    if (values.length !== 10 || !values.every(Number.isFinite)) throw new UsageError(`spinesurv predict: --keypoints must be a JSON file or ten numbers x1,y1,...,x5,y5`);
    return { keypoints: values, flags: [] };
  }
  const hit = entries.get(image) ?? (entries.size === 1 ? [...entries.values()][0] : undefined);
  if (hit === undefined) throw new InputError(`${spec}: no keypoints for image "${image}"`);
  return hit;
}

async function keypointEntries(spec: string | undefined): Promise<Map<string, Keypoints> | null> {
  if (spec === undefined || !existsSync(spec)) return null;
  const { readKeypointEntries } = await import('../models/image/interim-variant.js');
  return new Map(readKeypointEntries(spec).map((e) => [e.file_name, { keypoints: e.keypoints, flags: e.flags }]));
}

export async function predictWithImageModel(a: ParsedArgs, modelDir: string, modelJson: unknown): Promise<number> {
  const image = a.optionalString('image');
  const data = a.optionalString('data');
  if ((image === undefined) === (data === undefined)) throw new UsageError('spinesurv predict: an image model needs exactly one of --image FILE and --data F.csv');
  const heatmap = a.optionalString('heatmap');
  const kpSpec = a.optionalString('keypoints');
  if (image !== undefined && heatmap !== undefined) refuseOverwritingInput(heatmap, [image, modelDir], '--heatmap');
  const { loadImageModel, parseImageModelJson } = await import('../models/image/index.js');
  const { scoreRadiograph } = await import('../models/image/score-radiograph.js');
  const json = parseImageModelJson(modelDir, modelJson);
  const entries = await keypointEntries(kpSpec);
  const model = loadImageModel(modelDir, json);
  try {
    if (image !== undefined) {
      const clinical: Record<string, string | undefined> = {};
      for (const c of CLINICAL_FLAGS) clinical[c] = a.optionalString(c);
      const r = await scoreRadiograph(model, image, keypointsFor(kpSpec, image, entries, image), clinical, { heatmap, where: 'command line' });
      const out = { risk: r.risk, surv: r.surv, percentile: r.percentile, keypoints: r.keypoints, flags: r.flags, warnings: r.warnings, model: { name: json.name, version: json.format_version } };
      for (const w of r.warnings) log(`warning: ${w}`);
      if (heatmap !== undefined) log(`heatmap written to ${heatmap}`);
      if (a.flag('json')) printJson(out);
      else {
        process.stdout.write(`risk (log hazard ratio) ${r.risk.toFixed(4)}, percentile ${r.percentile.toFixed(1)} of the training cohort\n`);
        process.stdout.write(`survival without fracture: 1 y ${r.surv['1'].toFixed(4)}, 3 y ${r.surv['3'].toFixed(4)}, 5 y ${r.surv['5'].toFixed(4)}\n`);
      }
      return 0;
    }
    const outPath = a.optionalString('out');
    if (outPath === undefined) throw new UsageError('spinesurv predict: --data needs --out P.csv');
    const times = a.numberList('times') ?? [];
    const timeTokens = a.optionalList('times') ?? [];
    const table = readCsv(data!);
    refuseOverwritingInput(outPath, [data, modelDir]);
    for (const name of ['risk', ...timeTokens.map((t) => `surv_${t}`)]) {
      if (table.has(name)) throw new InputError(`${table.source}: already has a column "${name}" (predict would overwrite it)`);
    }
    const images = table.strings('image');
    const cols = model.covariates.map((c) => table.strings(c));
    const base = dirname(resolve(data!));
    const rows: (string | number)[][] = [];
    for (let i = 0; i < table.length; i++) {
      const where = `${table.source} line ${CsvTable.lineOf(i)}`;
      const clinical: Record<string, string> = {};
      model.covariates.forEach((c, j) => (clinical[c] = cols[j][i]));
      const file = isAbsolute(images[i]) ? images[i] : join(base, images[i]);
      const r = await scoreRadiograph(model, file, keypointsFor(kpSpec, images[i], entries, where), clinical, { where });
      for (const w of r.warnings) log(`warning: ${where}: ${w}`);
      rows.push([...table.rows[i], r.risk, ...times.map((t) => model.survival(r.risk, t))]);
    }
    writeCsv(outPath, [...table.header, 'risk', ...timeTokens.map((t) => `surv_${t}`)], rows);
    log(`predict: ${table.length} radiographs scored with an image model -> ${outPath}`);
    if (a.flag('json')) printJson({ n: table.length, kind: json.kind, covariates: model.covariates, times, out: outPath });
    return 0;
  } finally {
    model.dispose();
  }
}
