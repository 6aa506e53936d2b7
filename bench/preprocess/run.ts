/**
 * How fast `spinesurv preprocess` is: the default synthetic cohort (1,595 patients, 1024 px 12-bit
 * DICOM) into one variant (full-l1l5 and patches, at the paper's 384 px) and into all six at once,
 * and the rate for 3000 x 2500 JPEG Lossless (SV1) DICOMs made with synth + the project's DICOM
 * writer + dcmtk's dcmcjpeg. Wall time and CPU time (user + system of the whole process, worker
 * threads included) are reported: on a shared machine the CPU time is closer to the cost.
 *
 *   npm run bench:preprocess -- [--cohort DIR] [--only one,all,jpeg] [--jpeg-patients N] [--out F.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRadiograph, writeDicom, writePng8 } from '../../src/imaging/index.js';
import { ALL_VARIANT_KEYS, preprocessCohort, type VariantKey } from '../../src/preprocess/index.js';

const { values } = parseArgs({
  options: {
    cohort: { type: 'string', default: '/work/data/cohort' },
    only: { type: 'string', default: 'one,all,jpeg' },
    'jpeg-patients': { type: 'string', default: '12' },
    workers: { type: 'string' },
    out: { type: 'string' },
  },
});
const only = new Set(String(values.only).split(','));
const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'bench-preprocess-'));

interface Timing {
  name: string;
  images: number;
  variants: number;
  wall_s: number;
  cpu_s: number;
  images_per_s: number;
  load_before: number;
}

async function timed(name: string, cohort: string, variants: VariantKey[], allVariants: boolean): Promise<Timing> {
  const out = join(scratch, name);
  const load = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await preprocessCohort({
    cohort,
    keypoints: join(cohort, 'keypoints.json'),
    out,
    variants,
    allVariants,
    workers: values.workers === undefined ? undefined : Number(values.workers),
    onProgress: (done, total) => {
      if (done % 400 === 0 || done === total) process.stderr.write(`${name}: ${done}/${total}\n`);
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  rmSync(out, { recursive: true, force: true });
  const t: Timing = {
    name,
    images: summary.processed,
    variants: summary.variants.length,
    wall_s: +wall.toFixed(1),
    cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    images_per_s: +(summary.processed / wall).toFixed(1),
    load_before: +load.toFixed(2),
  };
  process.stderr.write(`${JSON.stringify(t)}\n`);
  return t;
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** A cohort of 3000 x 2500 JPEG Lossless SV1 DICOMs: synth at 3000 px (3000 x 2400), padded to 2500 columns (masks too). */
async function jpegCohort(patients: number): Promise<string> {
  const synthDir = join(scratch, 'synth3000');
  sh(process.execPath, [bin, 'synth', '--out', synthDir, '--patients', String(patients), '--size', '3000']);
  const dir = join(scratch, 'jpeg3000');
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const csv = readFileSync(join(synthDir, 'cohort.csv'), 'utf8');
  writeFileSync(join(dir, 'cohort.csv'), csv);
  writeFileSync(join(dir, 'keypoints.json'), readFileSync(join(synthDir, 'keypoints.json')));
  for (const line of csv.trim().split('\n').slice(1)) {
    const [, image, maskFile] = line.split(',');
    const r = await readRadiograph(join(synthDir, image));
    const columns = 2500;
    const mask = await readRadiograph(join(synthDir, maskFile));
    const labels = new Uint8Array(r.rows * columns);
    for (let y = 0; y < r.rows; y++) for (let x = 0; x < r.columns; x++) labels[y * columns + x] = mask.pixels[y * r.columns + x];
    writePng8(join(dir, maskFile), labels, columns, r.rows);
    const pixels = new Uint16Array(r.rows * columns);
    for (let y = 0; y < r.rows; y++) {
      for (let x = 0; x < columns; x++) pixels[y * columns + x] = x < r.columns ? r.pixels[y * r.columns + x] : r.pixels[y * r.columns + r.columns - 1];
    }
    const native = join(scratch, 'native.dcm');
    writeDicom(native, { pixels, rows: r.rows, columns, bitsStored: 12, pixelSpacing: r.pixelSpacing ?? [0.12, 0.12] });
    sh('dcmcjpeg', ['+e1', native, join(dir, image)]);
  }
  rmSync(synthDir, { recursive: true, force: true });
  return dir;
}

try {
  const results: Timing[] = [];
  if (only.has('one')) {
    results.push(await timed('one-variant-full-l1l5', values.cohort as string, ['full-l1l5'], false));
    results.push(await timed('one-variant-patches', values.cohort as string, ['patches'], false));
  }
  if (only.has('all')) results.push(await timed('all-six-variants', values.cohort as string, [...ALL_VARIANT_KEYS], true));
  if (only.has('jpeg')) {
    const dir = await jpegCohort(Number(values['jpeg-patients']));
    results.push(await timed('jpeg-lossless-3000x2500-full-l1l5', dir, ['full-l1l5'], false));
    results.push(await timed('jpeg-lossless-3000x2500-all-six', dir, [...ALL_VARIANT_KEYS], true));
  }
  const report = { machine: { cpus: cpus().length, model: cpus()[0]?.model }, results };
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
