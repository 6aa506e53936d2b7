/**
 * How many annotated radiographs the detector needs (issue 23), with a simulated annotator: a click is
 * the generator's true point plus Gaussian noise of SD --sigma-mm in each coordinate. The training
 * split is shuffled once (--seed); the detector is trained with the default settings on the first n
 * radiographs for each n of --sizes and judged on the test split against the clean truth (OKS-AP at
 * the documented sigmas, MRE in mm). --order random keeps the shuffled order; --order uncertainty
 * (as `spinesurv annotate` orders its worklist) predicts the rest of the pool with each model and
 * takes its least confident radiographs (flagged first, then by score) as the next ones. The effort
 * of the loop is estimated too: the radiographs between one size and the next are predicted by the
 * model of the smaller size, and a point counts as moved when that proposal is more than 2 mm from
 * the annotator's click.
 *
 *   node dist/bench/landmarks/learning-curve.js --cohort DIR --scratch DIR [--sizes 25,50,100,200] [--order random|uncertainty] [--sigma-mm 1] [--seed 1] [--epochs N]
 * Writes SCRATCH/curve.json after each size and prints one line per size on stderr.
 */
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cohortImages, readTruthFile } from '../../src/landmarks/dataset.js';
import { detectorTruth } from '../../src/landmarks/coco.js';
import { evaluateKeypoints } from '../../src/landmarks/evaluate.js';
import { loadLandmarkModel } from '../../src/landmarks/model.js';
import { predictFiles } from '../../src/landmarks/predict-files.js';
import { trainLandmarkModel } from '../../src/landmarks/train.js';
import { Random } from '../../src/util/random.js';

const { values: o } = parseArgs({ options: { cohort: { type: 'string' }, scratch: { type: 'string' }, sizes: { type: 'string' }, 'sigma-mm': { type: 'string' }, seed: { type: 'string' }, epochs: { type: 'string' }, order: { type: 'string' } } });
const order = o.order ?? 'random';
if (order !== 'random' && order !== 'uncertainty') throw new Error('--order: random or uncertainty');
const cohort = o.cohort!, scratch = o.scratch!;
const sizes = (o.sizes ?? '25,50,100,200').split(',').map(Number);
const sigmaMm = Number(o['sigma-mm'] ?? 1);
const rng = new Random(Number(o.seed ?? 1));
mkdirSync(scratch, { recursive: true });

const truthPath = join(cohort, 'keypoints.json');
const truth = readTruthFile(truthPath);
const train = cohortImages(cohort, 'train', truth);
for (let i = train.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [train[i], train[j]] = [train[j]!, train[i]!];
}
const test = cohortImages(cohort, 'test', truth);

// The simulated annotator's file: every point moved by N(0, sigma) mm in x and y.
const doc = JSON.parse(readFileSync(truthPath, 'utf8')) as { images: { id: number; pixel_spacing: [number, number] }[]; annotations: { image_id: number; keypoints: number[] }[] };
const spacingOf = new Map(doc.images.map((im) => [im.id, im.pixel_spacing]));
for (const a of doc.annotations) {
  const [rowMm, colMm] = spacingOf.get(a.image_id)!;
  for (let k = 0; k < 5; k++) {
    a.keypoints[3 * k] = a.keypoints[3 * k]! + rng.normal(0, sigmaMm / colMm);
    a.keypoints[3 * k + 1] = a.keypoints[3 * k + 1]! + rng.normal(0, sigmaMm / rowMm);
  }
}
const noisyPath = join(scratch, 'annotator.json');
writeFileSync(noisyPath, JSON.stringify(doc));
const noisy = readTruthFile(noisyPath);

const testTruth = test.map((t) => detectorTruth(truth, t.imageId));
const spacing = new Map(testTruth.map((t) => [t.imageId, t.pixelSpacing!] as [number, [number, number]]));
const rows: Record<string, unknown>[] = [];
let moved = 0, placedByHand = 5 * sizes[0]!;
for (let s = 0; s < sizes.length; s++) {
  const n = Math.min(sizes[s]!, train.length);
  const out = join(scratch, `model-${n}`);
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const r = await trainLandmarkModel({
    cohortDir: cohort, out, keypointsPath: noisyPath, images: train.slice(0, n), force: true,
    epochs: o.epochs === undefined ? undefined : Number(o.epochs), seed: 1, onLog: () => undefined,
  });
  const cpu = process.cpuUsage(cpu0);
  const model = await loadLandmarkModel(out);
  const { results } = await predictFiles(model, test, { skipUnreadable: false });
  const e = evaluateKeypoints(results.map((p) => ({ imageId: p.image_id, keypoints: p.keypoints, score: p.score })), testTruth.map((t) => ({ imageId: t.imageId, keypoints: t.keypoints, area: t.area })), spacing);
  // The loop's effort on the next radiographs: points this model's proposal puts > 2 mm from the click.
  const nextEnd = Math.min(sizes[s + 1] ?? n, train.length);
  if (order === 'uncertainty' && nextEnd > n) {
    // The rest of the pool, least confident first (a flagged proposal before any other), as annotate orders it.
    const pool = train.slice(n);
    const predicted = (await predictFiles(model, pool, { skipUnreadable: false })).results;
    const doubt = new Map(predicted.map((p) => [p.image_id, (p.flags.length > 0 ? 1 : 0) + (1 - p.score)]));
    pool.sort((a, b) => doubt.get(b.imageId)! - doubt.get(a.imageId)! || a.imageId - b.imageId);
    train.splice(n, pool.length, ...pool);
  }
  const next = train.slice(n, nextEnd);
  if (next.length > 0) {
    const proposals = (await predictFiles(model, next, { skipUnreadable: false })).results;
    for (const p of proposals) {
      const click = detectorTruth(noisy, p.image_id);
      const [rowMm, colMm] = click.pixelSpacing!;
      for (let k = 0; k < 5; k++) if (Math.hypot((p.keypoints[3 * k]! - click.keypoints[3 * k]!) * colMm, (p.keypoints[3 * k + 1]! - click.keypoints[3 * k + 1]!) * rowMm) > 2) moved++;
    }
  }
  model.dispose();
  const row = {
    n, epochs: r.model.training.epochs, ap: e.ap, ap_strict: e.ap_strict.ap, mre_mm: e.mre_mm, sdr_2mm: e.sdr_2mm, sdr_4mm: e.sdr_4mm,
    flagged: results.filter((x) => x.flags.length > 0).length, test_images: results.length,
    train_cpu_s: (cpu.user + cpu.system) / 1e6, train_wall_s: (Date.now() - t0) / 1000,
  };
  rows.push(row);
  process.stderr.write(`learning-curve: n ${n}: AP ${e.ap.toFixed(3)} MRE ${e.mre_mm.toFixed(2)} mm, ${row.flagged} flagged, ${row.train_wall_s.toFixed(0)} s\n`);
  const annotated = sizes[Math.min(s + 1, sizes.length - 1)]!;
  writeFileSync(join(scratch, 'curve.json'), JSON.stringify({
    cohort, sigma_mm: sigmaMm, order, seed: Number(o.seed ?? 1), cpus: cpus().length, test_images: test.length, curve: rows,
    effort: { radiographs: Math.min(annotated, train.length), points_without_loop: 5 * Math.min(annotated, train.length), points_with_loop: placedByHand + moved },
  }, null, 2));
}
