/**
 * How often the input checks that run before the keypoint detector (models/image/quality.ts: tags,
 * then src/imaging/radiograph-checks.ts on the pixels) refuse a real radiograph, and how often they
 * refuse images that are not one. docs/input-checks.md reports the numbers.
 *
 * Real: every radiograph of each synthetic cohort given, and the `direction` keypoint flag on its
 * annotated keypoints; the first --per-cohort of them also as an 8-bit PNG through the file's window
 * and as lossy 8-bit JPEG (dcmtk's dcmcjpeg, baseline, quality 75), forms a real archive holds. Out of distribution: the first --per-cohort radiographs of each cohort turned
 * into what a scoring service must not score, written as DICOM and read back through the same reader
 * the scorers use (header changes with dcmtk's dcmodify, as a PACS would send them). With --detector,
 * the images the checks let through also go through that detector and the keypoint checks, the rest
 * of the chain `predict --image` runs, to show what the detector's flags add.
 *
 *   node dist/bench/input-checks/run.js --cohort DIR [--cohort DIR ...] [--per-cohort 50] [--detector DIR] [--out F.json]
 *
 * Prints counts and reasons only: no file names (the synthetic files are named by patient ID).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng8, readRadiograph, windowToBytes, writeDicom, type Radiograph } from '../../src/imaging/index.js';
import { detectorTruth, loadLandmarkModel, qualityFlags, readTruthFile, type LandmarkModel } from '../../src/landmarks/index.js';
import { keypointProblems } from '../../src/models/image/index.js';
import { refusalReasons } from '../../src/models/image/quality.js';
import { MAX_INVERTED_POLARITY, MIN_SPREAD, MIN_STRUCTURE, noiseBrightnessCorrelation, percentiles, structureShare } from '../../src/imaging/radiograph-checks.js';
import { Random } from '../../src/util/random.js';

/** The statistics the pixel rules threshold, by group: how far the real images sit from each threshold. */
const margins = new Map<string, { spread: number[]; structure: number[]; polarity: number[] }>();
function measure(group: string, r: Radiograph): void {
  const m = margins.get(group) ?? { spread: [], structure: [], polarity: [] };
  margins.set(group, m);
  const p = percentiles(r.pixels);
  m.spread.push((p.p99 - p.p1) / (2 ** r.bitsStored - 1));
  m.structure.push(structureShare(r.pixels, r.rows, r.columns));
  const rho = noiseBrightnessCorrelation(r);
  if (rho !== null) m.polarity.push(rho);
}
const range = (v: number[]): string => (v.length === 0 ? 'n/a' : `${Math.min(...v).toFixed(3)}..${Math.max(...v).toFixed(3)}`);

const argv = process.argv.slice(2);
const all = (name: string): string[] => argv.flatMap((a, i) => (a === `--${name}` && i + 1 < argv.length ? [argv[i + 1]] : []));
const one = (name: string): string | undefined => all(name)[0];
const cohorts = all('cohort');
if (cohorts.length === 0) throw new Error('give at least one --cohort DIR (spinesurv synth --out DIR --size 256)');
const perCohort = Number(one('per-cohort') ?? 50);

/** The part of a reason before its numbers, to count reasons by kind. */
const kind = (reason: string): string => reason.split(/[:(]/)[0].replace(/"[^"]*"/g, '"…"').trim();

function tally(into: Map<string, number>, reasons: string[]): void {
  for (const k of new Set(reasons.map(kind))) into.set(k, (into.get(k) ?? 0) + 1);
}

interface Case {
  name: string;
  /** Writes the case's DICOM file from a real radiograph (12-bit stored values). */
  make(file: string, source: Radiograph, random: () => number): void;
}

const stored = (r: Radiograph): Uint16Array => Uint16Array.from(r.pixels, (v) => Math.max(0, Math.min(4095, Math.round(v))));
const write = (file: string, pixels: Uint16Array, rows: number, columns: number, r: Radiograph): void =>
  writeDicom(file, { pixels, rows, columns, bitsStored: 12, pixelSpacing: r.pixelSpacing ?? [1, 1], modality: 'DX', viewPosition: 'LL' });
const dcmodify = (file: string, ...edits: string[]): void => {
  const d = spawnSync('dcmodify', ['-nb', '-gin', ...edits.flatMap((e) => ['-i', e]), file], { encoding: 'utf8' });
  if (d.status !== 0) throw new Error(`dcmodify failed: ${d.stderr}`);
};
const gaussian = (random: () => number): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const CASES: Case[] = [
  { name: 'blank (all 0)', make: (f, r) => write(f, new Uint16Array(r.rows * r.columns), r.rows, r.columns, r) },
  { name: 'constant (mid grey)', make: (f, r, rnd) => write(f, new Uint16Array(r.rows * r.columns).fill(500 + Math.floor(3000 * rnd())), r.rows, r.columns, r) },
  {
    name: 'nearly constant (grey + noise sd 8)',
    make: (f, r, rnd) => {
      const level = 500 + 3000 * rnd();
      write(f, Uint16Array.from({ length: r.rows * r.columns }, () => Math.round(level + 8 * gaussian(rnd))), r.rows, r.columns, r);
    },
  },
  { name: 'uniform noise', make: (f, r, rnd) => write(f, Uint16Array.from({ length: r.rows * r.columns }, () => Math.floor(4096 * rnd())), r.rows, r.columns, r) },
  {
    name: 'gaussian noise (sd 600)',
    make: (f, r, rnd) => write(f, Uint16Array.from({ length: r.rows * r.columns }, () => Math.max(0, Math.min(4095, Math.round(2048 + 600 * gaussian(rnd))))), r.rows, r.columns, r),
  },
  { name: 'inverted pixels, MONOCHROME2 header', make: (f, r) => write(f, stored(r).map((v) => 4095 - v), r.rows, r.columns, r) },
  {
    name: 'true pixels, header says MONOCHROME1',
    make: (f, r) => {
      write(f, stored(r), r.rows, r.columns, r);
      dcmodify(f, '(0028,0004)=MONOCHROME1');
    },
  },
  {
    name: 'rotated 90°',
    make: (f, r) => {
      // Clockwise: new (row i, column j) is old (row rows-1-j, column i); the header keeps P\F.
      const src = stored(r);
      const out = new Uint16Array(src.length);
      for (let i = 0; i < r.columns; i++) for (let j = 0; j < r.rows; j++) out[i * r.rows + j] = src[(r.rows - 1 - j) * r.columns + i];
      write(f, out, r.columns, r.rows, r);
    },
  },
  {
    name: 'cropped above L5',
    make: (f, r) => {
      const rows = cropRows.get(r)!;
      write(f, stored(r).subarray(0, rows * r.columns), rows, r.columns, r);
    },
  },
  {
    name: 'header says CT',
    make: (f, r) => {
      write(f, stored(r), r.rows, r.columns, r);
      dcmodify(f, '(0008,0060)=CT');
    },
  },
  {
    name: 'header says MR',
    make: (f, r) => {
      write(f, stored(r), r.rows, r.columns, r);
      dcmodify(f, '(0008,0060)=MR');
    },
  },
];
/** The same radiograph in other forms an archive holds; none may be refused. */
const REAL_FORMS: Case[] = [
  { name: '8-bit PNG through the window', make: (f, r) => writeFileSync(f, encodePng8(windowToBytes(r.pixels, r.window), r.columns, r.rows)) },
  {
    name: 'lossy JPEG, 8-bit, quality 75',
    make: (f, r) => {
      write(`${f}.src`, stored(r), r.rows, r.columns, r);
      const d = spawnSync('dcmcjpeg', ['+eb', '+q', '75', `${f}.src`, f], { encoding: 'utf8' });
      if (d.status !== 0) throw new Error(`dcmcjpeg failed: ${d.stderr}`);
    },
  },
];

/** Rows kept by the "cropped above L5" case: down to halfway between L4 and L5 (annotated). */
const cropRows = new Map<Radiograph, number>();

const detector: LandmarkModel | null = one('detector') !== undefined ? await loadLandmarkModel(one('detector')!) : null;

const real = { images: 0, refused: 0, reasons: new Map<string, number>(), directionOnTruth: 0, detectorFlagged: 0 };
const forms = new Map<string, { images: number; refused: number; reasons: Map<string, number> }>();
for (const c of REAL_FORMS) forms.set(c.name, { images: 0, refused: 0, reasons: new Map() });
const ood = new Map<string, { images: number; refused: number; reasons: Map<string, number>; afterDetector: number }>();
for (const c of CASES) ood.set(c.name, { images: 0, refused: 0, reasons: new Map(), afterDetector: 0 });
const work = mkdtempSync(join(tmpdir(), 'input-checks-'));
const started = Date.now();
try {
  for (const [ci, cohort] of cohorts.entries()) {
    const truth = readTruthFile(join(cohort, 'keypoints.json'));
    const random = new Random(1000 + ci);
    for (const [k, image] of truth.entries.entries()) {
      const r = await readRadiograph(join(cohort, image.fileName));
      const reasons = refusalReasons(r);
      measure('real', r);
      real.images++;
      if (reasons.length > 0) {
        real.refused++;
        tally(real.reasons, reasons);
        console.error(`real radiograph #${k + 1} of ${cohort}: refused (${reasons.join('; ')})`);
      }
      const kp = detectorTruth(truth, image.imageId).keypoints;
      const xy = [0, 1, 2, 3, 4].flatMap((i) => [kp[3 * i], kp[3 * i + 1]]);
      if (qualityFlags(xy, [1, 1, 1, 1, 1]).some((f) => f.startsWith('direction'))) real.directionOnTruth++;
      if (detector !== null && reasons.length === 0) {
        if (keypointProblems(detector.predict([r])[0], false, r.rows, r.columns).length > 0) real.detectorFlagged++;
      }
      if (k >= perCohort) continue;
      cropRows.set(r, Math.floor((xy[7] + xy[9]) / 2));
      for (const c of REAL_FORMS) {
        const file = join(work, c.name.startsWith('8-bit PNG') ? 'form.png' : 'form.dcm');
        c.make(file, r, () => random.uniform());
        const form = await readRadiograph(file);
        const why = refusalReasons(form);
        measure(c.name, form);
        const entry = forms.get(c.name)!;
        entry.images++;
        if (why.length > 0) {
          entry.refused++;
          tally(entry.reasons, why);
          console.error(`real radiograph #${k + 1} of ${cohort} as ${c.name}: refused (${why.join('; ')})`);
        }
      }
      for (const c of CASES) {
        const file = join(work, 'case.dcm');
        c.make(file, r, () => random.uniform());
        const o = await readRadiograph(file);
        const why = refusalReasons(o);
        if (/invert|MONOCHROME1/.test(c.name)) measure(c.name, o);
        const entry = ood.get(c.name)!;
        entry.images++;
        if (why.length > 0) {
          entry.refused++;
          tally(entry.reasons, why);
        } else if (detector !== null && keypointProblems(detector.predict([o])[0], false, o.rows, o.columns).length > 0) {
          entry.afterDetector++;
        }
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const pct = (a: number, b: number): string => `${a}/${b} (${((100 * a) / b).toFixed(1)}%)`;
console.log(`real radiographs refused by the input checks: ${pct(real.refused, real.images)}${real.reasons.size > 0 ? ` ${JSON.stringify(Object.fromEntries(real.reasons))}` : ''}`);
for (const [name, e] of forms) console.log(`real radiographs as ${name}: refused ${pct(e.refused, e.images)}${e.reasons.size > 0 ? ` ${JSON.stringify(Object.fromEntries(e.reasons))}` : ''}`);
console.log(`direction flag on the annotated keypoints: ${pct(real.directionOnTruth, real.images)}`);
if (detector !== null) console.log(`real radiographs passed by the checks, then flagged by the detector (${one('detector')}): ${pct(real.detectorFlagged, real.images - real.refused)}`);
let refused = 0;
let total = 0;
for (const [name, e] of ood) {
  refused += e.refused;
  total += e.images;
  const extra = detector !== null ? `; of the rest, flagged by the detector ${e.afterDetector}` : '';
  console.log(`${name.padEnd(40)} refused ${pct(e.refused, e.images)}${extra}  ${JSON.stringify(Object.fromEntries(e.reasons))}`);
}
for (const [group, m] of margins) {
  console.log(`range over ${group}: p1-p99 spread ${range(m.spread)} (refused below ${MIN_SPREAD}), structure ${range(m.structure)} (below ${MIN_STRUCTURE}), noise-brightness correlation ${range(m.polarity)} (below ${MAX_INVERTED_POLARITY})`);
}
console.log(`out of distribution, all cases: refused ${pct(refused, total)}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
const out = one('out');
if (out !== undefined) {
  writeFileSync(out, JSON.stringify({
    cohorts, perCohort, detector: one('detector') ?? null,
    real: { ...real, reasons: Object.fromEntries(real.reasons) },
    margins: Object.fromEntries([...margins].map(([g, m]) => [g, { spread: range(m.spread), structure: range(m.structure), polarity: range(m.polarity) }])),
    forms: Object.fromEntries([...forms].map(([n, e]) => [n, { ...e, reasons: Object.fromEntries(e.reasons) }])),
    ood: Object.fromEntries([...ood].map(([n, e]) => [n, { ...e, reasons: Object.fromEntries(e.reasons) }])),
  }, null, 2) + '\n');
}
