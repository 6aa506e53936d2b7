/**
 * spinesurv landmarks train|predict|evaluate: the L1-L5 keypoint detector (docs/landmarks.md).
 */
import { COMPUTE_OPTIONS } from '../compute-options.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand } from '../args.js';
import { InputError, UsageError } from '../../util/errors.js';
import { log, progress, type Progress } from '../../util/progress.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';
import { refuseOverwritingInput } from '../../util/output-folder.js';

const HELP = [
  'Usage: spinesurv landmarks <train|predict|evaluate|agreement> [options]',
  '',
  'The L1-L5 keypoint detector (HRNet heatmaps, DARK decoding, OKS-AP).',
  '  train     train on a cohort folder\'s split (DIR/cohort.csv + DIR/keypoints.json) and write a model folder',
  '  predict   find L1-L5 on a cohort split or any list of DICOM/PNG/JPEG/TIFF files; writes a COCO results list',
  '  evaluate  OKS-AP (pycocotools), mean radial error in mm per vertebra, SDR 2/4 mm, worst images',
  '  agreement two readings of the same radiographs (two annotators, or an annotator and the detector): MRE in mm,',
  '            share within 2 and 4 mm, Bland-Altman limits per coordinate',
  '',
].join('\n');

const trainSpec = {
  usage: 'spinesurv landmarks train',
  description: 'Train the keypoint detector on the rows of one split of a cohort folder; writes MODEL/model.json and MODEL/weights.safetensors.',
  options: {
    cohort: { type: 'string' as const, description: 'cohort folder (cohort.csv, keypoints.json, images)', placeholder: 'DIR', required: true },
    out: { type: 'string' as const, description: 'model folder to write', placeholder: 'MODEL', required: true },
    split: { type: 'string' as const, description: 'train on the cohort.csv rows of this split', placeholder: 'NAME', default: 'train' },
    keypoints: { type: 'string' as const, description: 'COCO keypoints file (default DIR/keypoints.json)', placeholder: 'F.json' },
    profile: { type: 'string' as const, description: 'cpu (small HRNet, 256 px) or paper (HRNet-W32, 384 px, for a GPU)', placeholder: 'NAME', default: 'cpu' },
    size: { type: 'string' as const, description: 'input size in pixels (multiple of 32; default from the profile)', placeholder: 'PX' },
    epochs: { type: 'string' as const, description: 'epochs (default: the profile\'s; on a small cohort more, so that a run takes at least the profile\'s fewest steps: 882 for cpu)', placeholder: 'N' },
    folds: { type: 'string' as const, description: 'K-fold cross-validation first (mean and SD of held-out AP), then the final model', placeholder: 'K' },
    init: { type: 'string' as const, description: 'start from these weights, matched by parameter name (reference HRNet layout)', placeholder: 'W.safetensors' },
    resume: { type: 'boolean' as const, description: 'continue an interrupted run from its last checkpoint (MODEL.partial/)' },
    seed: { type: 'string' as const, description: 'random seed', placeholder: 'N', default: '1' },
    ...COMPUTE_OPTIONS,
    force: { type: 'boolean' as const, description: 'replace an existing model folder written by spinesurv' },
    json: { type: 'boolean' as const, description: 'print a JSON summary on stdout' },
  },
};

const predictSpec = {
  usage: 'spinesurv landmarks predict',
  description: 'Find L1-L5 on radiographs. Give --cohort DIR (with --split), --images FILE... or --list LIST.txt. Writes a COCO results list. An image that cannot be a lateral lumbar radiograph (the input rules of predict --image, docs/input-checks.md) is refused with its reasons, not predicted.',
  options: {
    model: { type: 'string' as const, description: 'model folder from landmarks train', placeholder: 'MODEL', required: true },
    cohort: { type: 'string' as const, description: 'cohort folder: predict the images of --split', placeholder: 'DIR' },
    split: { type: 'string' as const, description: 'with --cohort: the cohort.csv split ("all" for every row); image_id is the id in DIR/keypoints.json, or the row number when there is none', placeholder: 'NAME', default: 'test' },
    images: { type: 'string' as const, description: 'image files (DICOM, PNG, JPEG, TIFF); several may follow', placeholder: 'FILE...' },
    list: { type: 'string' as const, description: 'a text file with one image path a line (relative to the list)', placeholder: 'LIST.txt' },
    out: { type: 'string' as const, description: 'results file to write', placeholder: 'KP.json', required: true },
    ...COMPUTE_OPTIONS,
    json: { type: 'boolean' as const, description: 'print a JSON summary on stdout' },
  },
};

const evaluateSpec = {
  usage: 'spinesurv landmarks evaluate',
  description: 'Score predicted keypoints against the truth: OKS-AP as pycocotools, MRE in mm per vertebra, SDR 2/4 mm, worst images.',
  options: {
    pred: { type: 'string' as const, description: 'COCO results list (landmarks predict)', placeholder: 'KP.json', required: true },
    truth: { type: 'string' as const, description: 'COCO keypoints file with the true points', placeholder: 'keypoints.json', required: true },
    cohort: { type: 'string' as const, description: 'cohort folder: evaluate only the images of --split', placeholder: 'DIR' },
    split: { type: 'string' as const, description: 'with --cohort: the split ("all" for every row)', placeholder: 'NAME', default: 'test' },
    worst: { type: 'string' as const, description: 'how many worst images to list', placeholder: 'N', default: '5' },
    json: { type: 'boolean' as const, description: 'print the JSON result on stdout' },
  },
};

const agreementSpec = {
  usage: 'spinesurv landmarks agreement',
  description:
    'Agreement between two readings of L1-L5 on the same radiographs (two annotators, or an annotator and the detector).\n' +
    'Each file is a COCO keypoints file or a `landmarks predict` results list. Images are matched by file_name (by image_id\n' +
    'when a file has no names), or with --cohort as the cohort.csv image column. Pixel spacing comes from the files\n' +
    '(images[].pixel_spacing), else from the image header. JSON (--json): {"n", "mre_mm": {"L1", ..., "L5", "all"},\n' +
    '"within_2mm", "within_4mm", "per_vertebra": {"L1": {"mre_mm", "sd_mm", "within_2mm", "within_4mm", "max_mm"}, ...},\n' +
    '"bland_altman": {"L1": {"x": {"n", "bias_mm", "sd_mm", "lower_mm", "upper_mm"}, "y": {...}}, ...} (A - B, limits\n' +
    'bias +- 1.96 SD), "spacing": {"file", "image_header"}, "left_out": {reason: count}}.',
  options: {
    a: { type: 'string' as const, description: 'the first reading', placeholder: 'A.json', required: true },
    b: { type: 'string' as const, description: 'the second reading', placeholder: 'B.json', required: true },
    cohort: { type: 'string' as const, description: 'cohort folder: compare the images of its cohort.csv (with --split)', placeholder: 'DIR' },
    split: { type: 'string' as const, description: 'with --cohort: the split ("all" for every row)', placeholder: 'NAME', default: 'all' },
    json: { type: 'boolean' as const, description: 'print the JSON result on stdout' },
  },
};

async function train(argv: string[]): Promise<number> {
  const args = parseCommand(argv, trainSpec);
  if (args === null) return 0;
  const { trainLandmarkModel } = await import('../../landmarks/train.js');
  const profile = args.choice('profile', ['cpu', 'paper'] as const, 'cpu');
  const size = args.optionalNumber('size');
  const epochs = args.values.epochs === undefined ? undefined : args.integer('epochs', undefined, 1);
  const folds = args.values.folds === undefined ? undefined : args.integer('folds', undefined, 2);
  const cohort = args.string('cohort');
  const out = args.string('out');
  refuseOverwritingInput(out, [cohort], 'model folder');
  let bar: Progress | null = null;
  let barKey = '';
  const result = await trainLandmarkModel({
    cohortDir: cohort, out, split: args.string('split'), keypointsPath: args.optionalString('keypoints'), profile,
    inputSize: size, epochs, folds, seed: args.integer('seed', 1, 0), init: args.optionalString('init'), resume: args.flag('resume'), force: args.flag('force'),
    onLog: log,
    onProgress: (p) => {
      const key = `${p.run} epoch ${p.epoch}/${p.epochs}`;
      if (key !== barKey) {
        bar = progress(`landmarks train: ${key}`, p.steps);
        barKey = key;
      }
      const note = `loss ${(p.loss * 1000).toFixed(3)}e-3`;
      if (p.valAp !== undefined) bar!.done(`${note}, validation AP ${p.valAp.toFixed(4)}`);
      else bar!.tick(p.step, note);
    },
  });
  const summary = {
    out: result.out, profile: result.model.profile, input_size: result.model.input_size, width: result.model.width, epochs: result.model.training.epochs,
    images: result.model.training.images, validation: result.validation, cv: result.cv, minutes: result.minutes,
  };
  if (result.cv !== null) log(`landmarks train: ${result.cv.folds.length}-fold CV AP ${result.cv.ap_mean.toFixed(4)} ± ${result.cv.ap_sd.toFixed(4)} (mean ± SD)`);
  log(`landmarks train: model written to ${result.out} in ${result.minutes.toFixed(1)} min`);
  if (args.flag('json')) printJson(summary);
  return 0;
}

/** `--images a b c` takes every value up to the next option; util.parseArgs takes one value an option. */
function splitImages(argv: string[]): { rest: string[]; images: string[] | null } {
  const i = argv.indexOf('--images');
  if (i < 0) return { rest: argv, images: null };
  let j = i + 1;
  while (j < argv.length && !argv[j]!.startsWith('--')) j++;
  const images = argv.slice(i + 1, j);
  if (images.length === 0) throw new UsageError('spinesurv landmarks predict: --images needs at least one file');
  return { rest: [...argv.slice(0, i), ...argv.slice(j)], images };
}

async function predict(argv: string[]): Promise<number> {
  const { rest, images: files } = splitImages(argv);
  const args = parseCommand(rest, predictSpec);
  if (args === null) return 0;
  const sources = [args.optionalString('cohort') !== undefined, files !== null, args.optionalString('list') !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('spinesurv landmarks predict: give exactly one of --cohort, --images and --list');
  const out = args.string('out');
  const { loadLandmarkModel } = await import('../../landmarks/model.js');
  const { predictFiles, readImageList } = await import('../../landmarks/predict-files.js');
  const { refusalReasons } = await import('../../models/image/quality.js');
  const { NOT_A_LATERAL_LUMBAR_RADIOGRAPH } = await import('../../models/image/score-radiograph.js');
  const { cohortImages, cohortImagesUnannotated, readTruthFile } = await import('../../landmarks/dataset.js');
  const cohort = args.optionalString('cohort');
  let items;
  if (cohort !== undefined) {
    const split = args.string('split');
    const kpPath = join(cohort, 'keypoints.json');
    // Without keypoints.json (nothing annotated yet) image ids count the cohort.csv rows from 1.
    items = existsSync(kpPath)
      ? cohortImages(cohort, split === 'all' ? null : split, readTruthFile(kpPath))
      : cohortImagesUnannotated(cohort, split === 'all' ? null : split);
  } else if (files !== null) {
    items = files.map((f, i) => ({ imageId: i + 1, fileName: f, path: f }));
  } else {
    items = readImageList(args.string('list'));
  }
  refuseOverwritingInput(out, [...items.map((i) => i.path), args.optionalString('list')], 'results file');
  const model = await loadLandmarkModel(args.string('model'));
  const started = Date.now();
  const bar = progress('landmarks predict', items.length);
  try {
    // The same input rules as predict --image, score and serve: an image that cannot be a lateral
    // lumbar radiograph gets no keypoints, whatever the detector's weights would make of it.
    const { results, failures, refused } = await predictFiles(model, items, { skipUnreadable: cohort !== undefined, onProgress: (d) => bar.tick(d), refuse: refusalReasons });
    bar.done();
    for (const f of failures) log(`landmarks predict: skipped ${f.file_name}: ${f.reason}`);
    for (const f of refused) log(`landmarks predict: ${f.file_name}: ${NOT_A_LATERAL_LUMBAR_RADIOGRAPH} (${f.reasons.join('; ')}); not predicted`);
    if (results.length === 0) {
      throw new InputError(`${cohort ?? items.map((i) => i.path).join(', ')}: none of the ${items.length} images could be predicted (${failures.length} unreadable, ${refused.length} ${NOT_A_LATERAL_LUMBAR_RADIOGRAPH})`);
    }
    writeJsonAtomic(out, results);
    const flagged = results.filter((r) => r.flags.length > 0).length;
    log(`landmarks predict: ${results.length} images, ${flagged} flagged, ${refused.length} refused, ${failures.length} unreadable -> ${out}`);
    if (args.flag('json')) {
      printJson({ out, images: results.length, flagged, refused, failures, seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    model.dispose();
  }
  return 0;
}

async function evaluate(argv: string[]): Promise<number> {
  const args = parseCommand(argv, evaluateSpec);
  if (args === null) return 0;
  const { readTruthFile, detectorTruth, readResultsFile } = await import('../../landmarks/coco.js');
  const { cohortImages } = await import('../../landmarks/dataset.js');
  const { evaluateKeypoints } = await import('../../landmarks/evaluate.js');
  const predPath = args.string('pred');
  const truthPath = args.string('truth');
  const truthFile = readTruthFile(truthPath);
  const preds = readResultsFile(predPath);
  for (const p of preds) {
    if (!truthFile.byImageId.has(p.image_id)) throw new InputError(`${predPath}: image_id ${p.image_id} (${p.file_name}) is not among the images of ${truthPath}`);
  }
  const cohort = args.optionalString('cohort');
  let ids: number[];
  if (cohort !== undefined) {
    const split = args.string('split');
    ids = cohortImages(cohort, split === 'all' ? null : split, truthFile).map((c) => c.imageId);
  }
  else ids = truthFile.entries.map((e) => e.imageId);
  const wanted = new Set(ids);
  const spacing = new Map<number, [number, number]>();
  const truth = ids.map((id) => {
    const t = detectorTruth(truthFile, id);
    if (t.pixelSpacing === null) throw new InputError(`${truthPath}: image ${id} (${t.fileName}) has no pixel_spacing; MRE in mm needs it`);
    spacing.set(id, t.pixelSpacing);
    return { imageId: id, keypoints: t.keypoints, area: t.area };
  });
  const chosen = preds.filter((p) => wanted.has(p.image_id)).map((p) => ({ imageId: p.image_id, keypoints: p.keypoints, score: p.score }));
  const r = evaluateKeypoints(chosen, truth, spacing, { worst: args.integer('worst', 5, 0) });
  if (args.flag('json')) {
    printJson(r);
  } else {
    const f = (x: number): string => x.toFixed(4);
    process.stdout.write(`images ${r.images}${r.missing_predictions.length > 0 ? ` (${r.missing_predictions.length} without a prediction)` : ''}\n`);
    process.stdout.write(`OKS-AP ${f(r.ap)}  AP50 ${f(r.ap50)}  AP75 ${f(r.ap75)}  (sigmas ${r.sigmas.join(', ')}; area: ${r.area})\n`);
    process.stdout.write(`  stricter sigmas ${r.ap_strict.sigmas.join(', ')}: AP ${f(r.ap_strict.ap)}  AP50 ${f(r.ap_strict.ap50)}  AP75 ${f(r.ap_strict.ap75)}\n`);
    process.stdout.write(`MRE ${r.mre_mm.toFixed(2)} mm  SDR 2 mm ${(100 * r.sdr_2mm).toFixed(1)}%  4 mm ${(100 * r.sdr_4mm).toFixed(1)}%\n`);
    for (const [name, v] of Object.entries(r.per_vertebra)) {
      process.stdout.write(`  ${name}: MRE ${v.mre_mm.toFixed(2)} ± ${v.sd_mm.toFixed(2)} mm, SDR 2 mm ${(100 * v.sdr_2mm).toFixed(1)}%, 4 mm ${(100 * v.sdr_4mm).toFixed(1)}%, max ${v.max_mm.toFixed(2)} mm\n`);
    }
    process.stdout.write(`worst images: ${r.worst_images.map((w) => `${w.image_id} (${w.mre_mm.toFixed(2)} mm)`).join(', ')}\n`);
  }
  return 0;
}

async function agreement(argv: string[]): Promise<number> {
  const args = parseCommand(argv, agreementSpec);
  if (args === null) return 0;
  const { readKeypoints } = await import('../../keypoints/index.js');
  const { keypointAgreement } = await import('../../landmarks/agreement.js');
  const split = args.string('split');
  const r = await keypointAgreement(readKeypoints(args.string('a')), readKeypoints(args.string('b')), {
    cohortDir: args.optionalString('cohort'), split: split === 'all' ? null : split,
  });
  if (args.flag('json')) {
    printJson(r);
    return 0;
  }
  const mm = (x: number): string => x.toFixed(2);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const out: string[] = [`images ${r.n}${Object.keys(r.left_out).length > 0 ? ` (left out: ${Object.entries(r.left_out).map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}`];
  out.push(`MRE ${mm(r.mre_mm.all!)} mm  within 2 mm ${pct(r.within_2mm)}  within 4 mm ${pct(r.within_4mm)}`);
  for (const [name, v] of Object.entries(r.per_vertebra)) {
    const ba = r.bland_altman[name]!;
    const loa = (l: { bias_mm: number; lower_mm: number; upper_mm: number }): string => `bias ${mm(l.bias_mm)} (${mm(l.lower_mm)} to ${mm(l.upper_mm)})`;
    out.push(`  ${name}: MRE ${mm(v.mre_mm)} ± ${mm(v.sd_mm)} mm, within 2 mm ${pct(v.within_2mm)}, 4 mm ${pct(v.within_4mm)}; A - B in mm: x ${loa(ba.x)}, y ${loa(ba.y)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

export const command: Command = {
  async run(argv) {
    return runSubcommand(argv, HELP, { train, predict, evaluate, agreement });
  },
};
