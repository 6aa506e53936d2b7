/**
 * Robustness of a trained keypoint model on radiographs it was not tuned to. From a cohort's test
 * split it writes, into a scratch folder, the same radiographs (a) mirrored left-right (keypoints
 * mirrored, labels unchanged), (b) as 16-bit DICOM (values x 16), (c) as MONOCHROME1 DICOM (values
 * inverted, Photometric Interpretation MONOCHROME1); each with its own keypoints.json. Then it runs
 * `landmarks predict` and `landmarks evaluate` on each, and on any extra cohorts given with --cohort
 * (e.g. another seed's, or a larger image size), and prints one line per case (or --json).
 *
 *   node dist/bench/landmarks/robustness.js --model MODEL --base COHORT --scratch DIR [--cohort NAME=DIR:SPLIT ...] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeDicom, readRadiograph } from '../../src/imaging/index.js';
import { log } from '../../src/util/progress.js';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string' }, base: { type: 'string' }, scratch: { type: 'string' }, json: { type: 'boolean' },
    cohort: { type: 'string', multiple: true }, limit: { type: 'string' },
  },
});
const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const base = opts.base!, scratch = opts.scratch!;
const truth = JSON.parse(readFileSync(join(base, 'keypoints.json'), 'utf8'));
const rows = readFileSync(join(base, 'cohort.csv'), 'utf8').trim().split('\n');
const header = rows[0]!.split(',');
const imageCol = header.indexOf('image'), splitCol = header.indexOf('split');
let testRows = rows.slice(1).filter((r) => r.split(',')[splitCol] === 'test');
if (opts.limit !== undefined) testRows = testRows.slice(0, Number(opts.limit));
const byFile = new Map<string, { id: number; width: number; height: number }>(truth.images.map((im: { id: number; file_name: string; width: number; height: number }) => [im.file_name, im]));
// The synthetic cohort states the (0, 0) pixel-centre convention; the variants are written in COCO's.
const offset = /top-left pixel is \(0, ?0\)/.test(String(truth.info?.coordinates ?? '')) ? 0.5 : 0;

type Variant = 'mirrored' | '16-bit' | 'MONOCHROME1';
async function writeVariant(kind: Variant): Promise<string> {
  const dir = join(scratch, kind.toLowerCase());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const images = [], annotations = [];
  for (const row of testRows) {
    const file = row.split(',')[imageCol]!;
    const im = byFile.get(file)!;
    const ann = truth.annotations.find((a: { image_id: number }) => a.image_id === im.id);
    const r = await readRadiograph(join(base, file));
    const { rows: h, columns: w } = r;
    const stored = new Uint16Array(w * h);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
      const v = r.pixels[j * w + (kind === 'mirrored' ? w - 1 - i : i)]!;
      stored[j * w + i] = kind === '16-bit' ? v * 16 : kind === 'MONOCHROME1' ? 4095 - v : v;
    }
    let bytes = encodeDicom({ pixels: stored, rows: h, columns: w, bitsStored: kind === '16-bit' ? 16 : 12, pixelSpacing: r.pixelSpacing ?? [0.34, 0.34] });
    if (kind === 'MONOCHROME1') {
      // The writer makes MONOCHROME2; the value has the same length, so the element is patched in place.
      const buf = Buffer.from(bytes);
      const at = buf.indexOf('MONOCHROME2');
      if (at < 0 || buf.indexOf('MONOCHROME2', at + 1) >= 0) throw new Error('MONOCHROME2 not found exactly once');
      buf.write('MONOCHROME1', at, 'latin1');
      bytes = buf;
    }
    writeFileSync(join(dir, file), bytes);
    const kp = ann.keypoints.map((v: number, i: number) => (i % 3 === 2 ? v : i % 3 === 0 && kind === 'mirrored' ? w - (v + offset) : v + offset));
    images.push({ ...im, file_name: file });
    annotations.push({ ...ann, keypoints: kp });
  }
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify({ info: { coordinates: 'COCO: centre of the top-left pixel at (0.5, 0.5)' }, images, annotations, categories: truth.categories }));
  writeFileSync(join(dir, 'cohort.csv'), [rows[0], ...testRows].join('\n') + '\n');
  return dir;
}

function evaluateCohort(name: string, dir: string, split: string): Record<string, unknown> {
  const out = join(scratch, `${name.replace(/[^a-z0-9-]+/gi, '_')}.json`);
  const p = spawnSync(process.execPath, [bin, 'landmarks', 'predict', '--model', opts.model!, '--cohort', dir, '--split', split, '--out', out, '--json'], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`${name}: predict failed: ${p.stderr}`);
  const predicted = JSON.parse(p.stdout);
  const e = spawnSync(process.execPath, [bin, 'landmarks', 'evaluate', '--pred', out, '--truth', join(dir, 'keypoints.json'), '--cohort', dir, '--split', split, '--json'], { encoding: 'utf8' });
  if (e.status !== 0) throw new Error(`${name}: evaluate failed: ${e.stderr}`);
  const r = JSON.parse(e.stdout);
  const flagged = (JSON.parse(readFileSync(out, 'utf8')) as { flags: string[] }[]).filter((x) => x.flags.length > 0).length;
  return {
    case: name, images: r.images, ap: r.ap, ap50: r.ap50, ap75: r.ap75, ap_strict: r.ap_strict.ap, mre_mm: r.mre_mm, sdr_2mm: r.sdr_2mm, sdr_4mm: r.sdr_4mm,
    per_vertebra_mre_mm: Object.fromEntries(Object.entries(r.per_vertebra).map(([k, v]) => [k, (v as { mre_mm: number }).mre_mm])), flagged,
    predict_seconds: predicted.seconds,
  };
}

const results: Record<string, unknown>[] = [];
results.push(evaluateCohort('test split as generated', base, 'test'));
for (const kind of ['mirrored', '16-bit', 'MONOCHROME1'] as Variant[]) {
  log(`robustness: writing ${kind} copies of ${testRows.length} test radiographs`);
  results.push(evaluateCohort(kind, await writeVariant(kind), 'test'));
}
for (const spec of opts.cohort ?? []) {
  const [name, rest] = spec.split('=') as [string, string];
  const [dir, split] = rest.split(':') as [string, string];
  results.push(evaluateCohort(name, dir, split ?? 'test'));
}
if (opts.json) process.stdout.write(JSON.stringify(results) + '\n');
else for (const r of results) {
  process.stdout.write(`${String(r.case).padEnd(28)} n=${r.images}  AP ${(r.ap as number).toFixed(4)}  AP50 ${(r.ap50 as number).toFixed(4)}  AP75 ${(r.ap75 as number).toFixed(4)}  strict AP ${(r.ap_strict as number).toFixed(4)}  MRE ${(r.mre_mm as number).toFixed(2)} mm  SDR2 ${(100 * (r.sdr_2mm as number)).toFixed(1)}%  SDR4 ${(100 * (r.sdr_4mm as number)).toFixed(1)}%  flagged ${r.flagged}\n`);
}
