/**
 * Joint against independent decoding of a trained detector's heatmaps (src/landmarks/joint-decode.ts),
 * both from the same network pass, on a finished study's cohort:
 * - flagged test radiographs (any keypoint flag; the study leaves such patients out);
 * - AP, MRE and SDR on the study's held-out annotated training radiographs (the same fold the study
 *   judged its detector on, drawn again from the study's seed; the independent MRE is checked against
 *   the study's summary.json, which proves the fold is the same);
 * - out-of-distribution versions of the first --ood test radiographs (blank, noise, inverted, turned,
 *   cropped above L5): how many the detector's flags alone catch, and how many the whole chain
 *   (input rules, then the detector's flags and the keypoint checks) refuses.
 * Prints each number for both decodings and the ratio joint / independent.
 *
 *   node dist/bench/landmarks/joint-decode.js --study STUDY --cohort COHORT [--ood 30] [--threads 1] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRadiograph, type Radiograph } from '../../src/imaging/index.js';
import { detectorTruth, evaluateKeypoints, loadLandmarkModel, readTruthFile, type Decoding, type LandmarkPrediction } from '../../src/landmarks/index.js';
import { prepareImage } from '../../src/landmarks/image-input.js';
import { keypointProblems } from '../../src/models/image/index.js';
import { refusalReasons } from '../../src/models/image/quality.js';
import { setNumThreads } from '../../src/torch/index.js';
import { Random } from '../../src/util/random.js';

const { values: opts } = parseArgs({
  options: { study: { type: 'string' }, cohort: { type: 'string' }, ood: { type: 'string', default: '30' }, threads: { type: 'string', default: '1' }, json: { type: 'boolean' } },
});
if (opts.study === undefined || opts.cohort === undefined) throw new Error('give --study STUDY (a finished study folder) and --cohort COHORT (its cohort)');
setNumThreads(Number(opts.threads));
const started = performance.now();
const stage = join(opts.study, 'stages', 'keypoints');
const inputs = JSON.parse(readFileSync(join(stage, 'stage.json'), 'utf8')).inputs as { seed: number; holdout: number; landmark_folds: number };
const summary = JSON.parse(readFileSync(join(stage, 'summary.json'), 'utf8')) as { landmarks: { mre_mm: number; ap: number; images: number }; flagged: { line: number }[] };
if (inputs.landmark_folds > 1) throw new Error('this bench redraws one held-out fold; the study used K-fold cross-validation');
const model = await loadLandmarkModel(join(stage, 'model'));
const truthFile = readTruthFile(join(opts.cohort, 'keypoints.json'));

// cohort.csv: line numbers as the study counts them (the header is line 1).
const [head, ...body] = readFileSync(join(opts.cohort, 'cohort.csv'), 'utf8').trim().split('\n');
const cols = head!.split(',');
const rows = body.map((l, i) => {
  const f = l.split(',');
  return { line: i + 2, image: f[cols.indexOf('image')]!, split: f[cols.indexOf('split')]! };
});
const idOf = (image: string): number | undefined => truthFile.lookup(image, opts.cohort!)?.imageId;
const DECODINGS: Decoding[] = ['independent', 'joint'];

/** Both decodings of each radiograph, a few at a time so memory stays bounded. */
async function predictBoth(images: Radiograph[] | string[]): Promise<LandmarkPrediction[][]> {
  const out: LandmarkPrediction[][] = [[], []];
  for (let start = 0; start < images.length; start += 16) {
    const chunk = await Promise.all(images.slice(start, start + 16).map((x) => (typeof x === 'string' ? readRadiograph(join(opts.cohort!, x)) : x)));
    const both = model.predictDecodings(chunk.map((r) => prepareImage(r, model.inputSize)), DECODINGS);
    both.forEach((list, d) => out[d]!.push(...list));
  }
  return out;
}

// 1. Flagged test radiographs.
const test = rows.filter((r) => r.split === 'test');
const testPreds = await predictBoth(test.map((r) => r.image));
const flaggedLines = testPreds.map((list) => test.filter((_, i) => list[i]!.flags.length > 0).map((r) => r.line));
const recordedTest = summary.flagged.map((f) => f.line).filter((l) => test.some((r) => r.line === l));

// 2. The held-out annotated training radiographs, drawn as the study drew them (src/study/image-stages.ts).
const annotatedTrain = rows.filter((r) => r.split === 'train' && idOf(r.image) !== undefined);
const order = Array.from(new Random(inputs.seed ^ 0x6b70).permutation(annotatedTrain.length));
const held = order.slice(0, Math.max(1, Math.round(inputs.holdout * annotatedTrain.length))).map((i) => annotatedTrain[i]!);
const heldPreds = await predictBoth(held.map((r) => r.image));
const truth = held.map((r) => detectorTruth(truthFile, idOf(r.image)!));
const spacing = new Map(truth.map((t) => [t.imageId, truthFile.byImageId.get(t.imageId)!.pixelSpacing ?? [1, 1]] as [number, [number, number]]));
const evals = heldPreds.map((list) => evaluateKeypoints(list.map((p, i) => ({ imageId: truth[i]!.imageId, keypoints: p.keypoints, score: p.score })), truth, spacing, { predStride: 2, worst: held.length }));
const heldFlagged = heldPreds.map((list) => list.filter((p) => p.flags.length > 0).length);
// Each held-out radiograph whose chain joint decoding changed: its mean error before and after.
const errorOf = evals.map((e) => new Map(e.worst_images.map((w) => [w.image_id, w.mre_mm])));
const changed = held.flatMap((r, i) => {
  const [a, b] = [heldPreds[0]![i]!, heldPreds[1]![i]!];
  if (a.keypoints.every((v, j) => v === b.keypoints[j])) return [];
  const id = truth[i]!.imageId;
  return [{ line: r.line, flags_before: a.flags, mre_mm: [errorOf[0]!.get(id)!, errorOf[1]!.get(id)!] }];
});

// 3. Out of distribution: transformations of the first test radiographs.
type Make = (r: Radiograph, k: number) => Radiograph;
const withPixels = (r: Radiograph, pixels: Float32Array, rows: number, columns: number): Radiograph => ({ ...r, pixels, rows, columns });
const top = (r: Radiograph): number => 2 ** r.bitsStored - 1;
const rnd = new Random(22);
const OOD: [string, Make][] = [
  ['blank (all 0)', (r) => withPixels(r, new Float32Array(r.pixels.length), r.rows, r.columns)],
  ['constant grey', (r) => withPixels(r, new Float32Array(r.pixels.length).fill(Math.round(top(r) * (0.2 + 0.6 * rnd.uniform()))), r.rows, r.columns)],
  ['uniform noise', (r) => withPixels(r, Float32Array.from(r.pixels, () => Math.floor((top(r) + 1) * rnd.uniform())), r.rows, r.columns)],
  ['inverted', (r) => withPixels(r, Float32Array.from(r.pixels, (v) => top(r) - v), r.rows, r.columns)],
  ['rotated 90°', (r) => {
    const out = new Float32Array(r.pixels.length);
    for (let i = 0; i < r.columns; i++) for (let j = 0; j < r.rows; j++) out[i * r.rows + j] = r.pixels[(r.rows - 1 - j) * r.columns + i]!;
    return withPixels(r, out, r.columns, r.rows);
  }],
  ['cropped above L5', (r, k) => {
    const kp = detectorTruth(truthFile, idOf(test[k]!.image)!).keypoints;
    const keep = Math.round((kp[10]! + kp[13]!) / 2);
    return withPixels(r, r.pixels.slice(0, keep * r.columns), keep, r.columns);
  }],
];
const oodN = Math.min(Number(opts.ood), test.length);
const sources = await Promise.all(test.slice(0, oodN).map((r) => readRadiograph(join(opts.cohort!, r.image))));
const ood = [] as { name: string; n: number; detector: number[]; chain: number[] }[];
for (const [name, make] of OOD) {
  const images = sources.map((r, k) => make(r, k));
  const preds = await predictBoth(images);
  const rules = images.map((im) => refusalReasons(im).length > 0);
  ood.push({
    name, n: images.length,
    detector: preds.map((list) => list.filter((p) => p.flags.length > 0).length),
    chain: preds.map((list) => list.filter((p, i) => rules[i] || keypointProblems({ keypoints: p.keypoints, flags: p.flags }, false, images[i]!.rows, images[i]!.columns).length > 0).length),
  });
}
model.dispose();

const ratio = (a: number, b: number): string => (b === 0 ? (a === 0 ? '1 (0/0)' : 'inf') : (a / b).toFixed(3));
const result = {
  study: opts.study, threads: Number(opts.threads), wall_s: Math.round((performance.now() - started) / 100) / 10,
  test: { n: test.length, flagged: { independent: flaggedLines[0]!.length, joint: flaggedLines[1]!.length }, lines: { independent: flaggedLines[0], joint: flaggedLines[1] }, study_recorded: recordedTest },
  held_out: {
    n: held.length, changed, study_mre_mm: summary.landmarks.mre_mm, study_ap: summary.landmarks.ap,
    ...Object.fromEntries(DECODINGS.map((d, i) => [d, { ap: evals[i]!.ap, ap_strict: evals[i]!.ap_strict.ap, mre_mm: evals[i]!.mre_mm, sdr_2mm: evals[i]!.sdr_2mm, sdr_4mm: evals[i]!.sdr_4mm, flagged: heldFlagged[i] }])),
  },
  ood,
};
if (opts.json) console.log(JSON.stringify(result, null, 2));
else {
  const t = result.test, h = result.held_out as unknown as Record<Decoding, { ap: number; ap_strict: number; mre_mm: number; sdr_2mm: number; sdr_4mm: number; flagged: number }>;
  console.log(`${opts.study}: ${result.wall_s} s wall, ${result.threads} thread(s)`);
  console.log(`test split flagged: independent ${t.flagged.independent}/${t.n} (lines ${t.lines.independent.join(' ') || '-'}; the study recorded ${t.study_recorded.join(' ') || '-'}), joint ${t.flagged.joint}/${t.n} (lines ${t.lines.joint.join(' ') || '-'}); ratio ${ratio(t.flagged.joint, t.flagged.independent)}`);
  console.log(`held-out annotated (${result.held_out.n}; the study's MRE ${summary.landmarks.mre_mm.toFixed(4)} mm, AP ${summary.landmarks.ap.toFixed(4)}):`);
  for (const d of DECODINGS) console.log(`  ${d.padEnd(11)} AP ${h[d].ap.toFixed(4)}  strict AP ${h[d].ap_strict.toFixed(4)}  MRE ${h[d].mre_mm.toFixed(4)} mm  SDR2 ${h[d].sdr_2mm.toFixed(4)}  SDR4 ${h[d].sdr_4mm.toFixed(4)}  flagged ${h[d].flagged}`);
  for (const c of changed) console.log(`  changed: line ${c.line}, mean error ${c.mre_mm[0]!.toFixed(2)} -> ${c.mre_mm[1]!.toFixed(2)} mm (${c.flags_before.join('; ') || 'not flagged'})`);
  console.log(`  ratio joint/independent: AP ${ratio(h.joint.ap, h.independent.ap)}, MRE ${ratio(h.joint.mre_mm, h.independent.mre_mm)}, flagged ${ratio(h.joint.flagged, h.independent.flagged)}`);
  console.log('out of distribution (flagged by the detector alone; refused by the whole chain), independent -> joint:');
  for (const o of ood) console.log(`  ${o.name.padEnd(18)} detector ${o.detector[0]}/${o.n} -> ${o.detector[1]}/${o.n}; chain ${o.chain[0]}/${o.n} -> ${o.chain[1]}/${o.n}`);
}
