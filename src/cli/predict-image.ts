/**
 * The image-model path of `spinesurv predict` (CLI.md "predict with an image model"):
 *   --image FILE [--age .. --sex F|M ...] [--keypoints KP] [--heatmap OUT.png] [--json]
 *   --data F.csv --out P.csv [--keypoints KP.json] [--times t1,t2]   (an `image` column per row)
 * Keypoints come from the keypoint detector stored in the model folder; `--keypoints` overrides it
 * with a `landmarks predict` results list or a COCO keypoints file (the entry of the image as given,
 * or relative to the keypoints file's folder, or the one entry whose file_name ends the image's path,
 * or the file's only entry) or, for one image, ten
 * numbers x1,y1,...,x5,y5.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { printJson, type ParsedArgs } from './args.js';
import { readCsv, writeCsv, CsvTable } from '../util/csv.js';
import { InputError, UsageError } from '../util/errors.js';
import { log } from '../util/progress.js';
import { CLINICAL_FLAGS } from './clinical-flags.js';
import { refuseOverwritingInput } from '../util/output-folder.js';
import { normaliseImagePath } from '../keypoints/image-path.js';
import type { KeypointEntry, KeypointsFile } from '../keypoints/index.js';
import type { KeypointSet } from '../models/image/score-radiograph.js';
import type { ScoredOutcome, ScoreRequest } from '../models/image/radiograph-scorer.js';


const TEN_NUMBERS = /^\s*-?[\d.eE+-]+(\s*,\s*-?[\d.eE+-]+){9}\s*$/;

/** --keypoints as given: ten numbers, or a keypoints file (read once). */
type KeypointOverride = { numbers: number[] } | { file: KeypointsFile };

async function readOverride(spec: string | undefined): Promise<KeypointOverride | null> {
  if (spec === undefined) return null;
  if (TEN_NUMBERS.test(spec)) {
    const numbers = spec.split(',').map((v) => Number(v.trim()));
    if (!numbers.every(Number.isFinite)) throw new UsageError('spinesurv predict: --keypoints must be a JSON file or ten numbers x1,y1,...,x5,y5');
    return { numbers };
  }
  const { readKeypoints } = await import('../keypoints/read.js');
  return { file: readKeypoints(spec) };
}

/**
 * A `landmarks predict --cohort` list names images relative to a cohort folder it does not record:
 * the one entry whose file_name ends the image's absolute path (at a folder boundary), if exactly one does.
 */
function uniqueSuffixMatch(source: KeypointsFile, absolute: string): KeypointEntry | undefined {
  const path = normaliseImagePath(absolute);
  const hits = source.entries.filter((e) => {
    const name = normaliseImagePath(e.fileName);
    return e.fileName !== '' && !name.startsWith('/') && path.endsWith(`/${name}`);
  });
  return hits.length === 1 ? hits[0] : undefined;
}

/** The caller's keypoints for `image` (relative to `base`), or null when they are to be detected. */
function givenKeypoints(override: KeypointOverride | null, image: string, base: string): KeypointSet | null {
  if (override === null) return null;
  if ('numbers' in override) return { keypoints: override.numbers, flags: [] };
  const source = override.file;
  // A COCO keypoints file names images relative to its own folder (a cohort's keypoints.json).
  const hit = source.lookup(image, base) ?? source.lookup(resolve(base, image), dirname(resolve(source.path)))
    ?? uniqueSuffixMatch(source, resolve(base, image)) ?? (source.entries.length === 1 ? source.entries[0] : undefined);
  if (hit === undefined) throw new InputError(`${source.path}: no keypoints for image "${image}"`);
  if (hit.keypoints === null) return { keypoints: [], flags: [hit.problem ?? 'no keypoints'] };
  return { keypoints: hit.keypoints, flags: hit.problem === null ? [] : [hit.problem] };
}

export async function predictWithImageModel(a: ParsedArgs, modelDir: string, modelJson: unknown): Promise<number> {
  const image = a.optionalString('image');
  const data = a.optionalString('data');
  if ((image === undefined) === (data === undefined)) throw new UsageError('spinesurv predict: an image model needs exactly one of --image FILE and --data F.csv');
  const heatmap = a.optionalString('heatmap');
  if (data !== undefined && heatmap !== undefined) throw new UsageError('spinesurv predict: --heatmap goes with --image (one radiograph)');
  if (image !== undefined && heatmap !== undefined) refuseOverwritingInput(heatmap, [image, modelDir], '--heatmap');
  // The files themselves, not the models/image barrel (which brings training): a fresh
  // `predict --image` loads only what scoring needs.
  const [{ parseImageModelJson, keypointModelPath }, { RadiographScorer }] = await Promise.all([
    import('../models/image/folder.js'),
    import('../models/image/radiograph-scorer.js'),
  ]);
  const json = parseImageModelJson(modelDir, modelJson);
  const override = await readOverride(a.optionalString('keypoints'));
  if (override !== null && 'numbers' in override && data !== undefined) throw new UsageError('spinesurv predict: with --data, --keypoints must be a JSON file (ten numbers are for one --image)');
  if (override === null && keypointModelPath(modelDir, json) === null) {
    throw new InputError(`${join(modelDir, 'model.json')}: the model has no keypoint detector (fitted without --landmarks); give --keypoints KP.json (from \`spinesurv landmarks predict\`) or --keypoints x1,y1,...,x5,y5`);
  }
  // The one scoring core that score and serve use too; the detector is loaded only when it is needed.
  const scorer = await RadiographScorer.fromJson(modelDir, json, { detector: override === null });
  const model = scorer.model;
  /** The outcome's result, or its refusal as the exit-2 error it is (the image's or its keypoints' reason). */
  const scored = async (request: ScoreRequest): Promise<ScoredOutcome> => {
    const outcome = await scorer.score(request);
    if (outcome.status !== 'scored') throw new InputError(outcome.reason);
    return outcome;
  };
  try {
    if (image !== undefined) {
      const clinical: Record<string, string | undefined> = {};
      for (const c of CLINICAL_FLAGS) clinical[c] = a.optionalString(c);
      const r = await scored({ where: image, path: image, keypoints: givenKeypoints(override, image, process.cwd()), clinical, heatmap, clinicalWhere: 'command line' });
      // CLI.md's shape keeps "flags": always empty here, since a flagged radiograph is refused (exit 2), never scored.
      const out = { risk: r.risk, surv: r.surv, percentile: r.percentile, keypoints: r.keypoints, flags: [] as string[], warnings: r.warnings, model: { name: json.name, version: json.format_version } };
      for (const w of r.warnings) log(`warning: ${w}`);
      if (heatmap !== undefined) log(`heatmap written to ${heatmap}`);
      if (a.flag('json')) printJson(out);
      else {
        process.stdout.write(`risk (log hazard ratio) ${r.risk.toFixed(4)}, percentile ${r.percentile.toFixed(1)} of the training cohort\n`);
        process.stdout.write(`survival without fracture: 1 y ${r.surv['1'].toFixed(4)}, 3 y ${r.surv['3'].toFixed(4)}, 5 y ${r.surv['5'].toFixed(4)}\n`);
        process.stdout.write(`keypoints (${r.keypointSource === 'detector' ? "the model's detector" : 'given'}): ${r.keypoints.map((v) => v.toFixed(1)).join(', ')}\n`);
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
      const r = await scored({ where: file, path: file, keypoints: givenKeypoints(override, images[i], base), clinical, clinicalWhere: where });
      for (const w of r.warnings) log(`warning: ${where}: ${w}`);
      rows.push([...table.rows[i], r.risk, ...times.map((t) => model.survival(r.risk, t))]);
    }
    writeCsv(outPath, [...table.header, 'risk', ...timeTokens.map((t) => `surv_${t}`)], rows);
    log(`predict: ${table.length} radiographs scored with an image model -> ${outPath}`);
    if (a.flag('json')) printJson({ n: table.length, kind: json.kind, covariates: model.covariates, times, out: outPath });
    return 0;
  } finally {
    scorer.dispose();
  }
}
