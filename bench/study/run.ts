/**
 * npm run bench:study
 *   The whole study (keypoint detector trained on the training split's annotations, PREDICTED keypoints
 *   for every test patient, the variant comparison, every clinical and image model) on a synthetic
 *   cohort with a larger test split than the default 179 of 1,595, so that the paired comparison of the
 *   image + clinical model against CoxPH model 3 has enough test events to show a real gap:
 *     spinesurv synth --patients 2400 --size 512 --test-fraction 0.5 --seed 1
 *     spinesurv study --cohort COHORT --out STUDY --seed 1        (the demo's CPU profile, default config)
 *   and prints, for each image model in all patients: Harrell's C with its bootstrap CI, the paired
 *   difference against CoxPH model 3 and against FRAX measured in the same run (difference, CI, p),
 *   the share of the oracle's gain over the clinical-only line, and the three reference lines.
 *   About 25 CPU-minutes on the 2-core development machine (docs/report.md, "A larger test split").
 * Settings: BENCH_PATIENTS (2400), BENCH_SIZE (512), BENCH_TEST_FRACTION (0.5), BENCH_SEED (1),
 * BENCH_DIR (work folder, kept so that a second run reuses the cohort and the unchanged study stages;
 * default: a new temporary folder, removed at the end), BENCH_RESULTS=STUDY_DIR only summarises an
 * existing study folder. Writes bench/report/results.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StudyResults } from '../../src/report/results.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'spinesurv.js');
const env = (name: string, fallback: string) => process.env[name] ?? fallback;

interface Timed {
  wall_s: number;
  cpu_s: number;
}

/** Runs the CLI under /usr/bin/time (the children's CPU time, which process.cpuUsage cannot see); its stdout and the tail of its progress go to stderr, so stdout is this bench's JSON alone. */
function run(args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH_TIME %U %S %e', process.execPath, bin, ...args], { encoding: 'utf8', stdio: ['ignore', 2, 'pipe'], maxBuffer: 256 << 20 });
  const lines = (r.stderr ?? '').split('\n');
  process.stderr.write(lines.filter((l) => !l.startsWith('BENCH_TIME')).slice(-20).join('\n') + '\n');
  if (r.status !== 0) throw new Error(`spinesurv ${args[0]} exited ${r.status}`);
  const t = lines.find((l) => l.startsWith('BENCH_TIME'))!.split(' ').slice(1).map(Number);
  return { wall_s: t[2], cpu_s: t[0] + t[1] };
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function summarise(study: string) {
  const r = JSON.parse(readFileSync(join(study, 'results.json'), 'utf8')) as StudyResults;
  const model = (key: string) => r.test.models.find((m) => m.key === key);
  const paired = (key: string, reference: string) => {
    const c = r.test.comparisons.find((x) => x.model === key && x.reference === reference);
    return c === undefined ? null : { difference: round(c.difference), ci95: c.ci95.map((v) => round(v)), p: round(c.p, 5), method: c.method };
  };
  const coxph = model('coxph_m3_all')!;
  const frax = model('frax_all');
  const images = r.test.models.filter((m) => m.subgroup === 'all' && (m.method === 'deepsurv_image' || m.method === 'deepsurv_image_only'));
  return {
    test: { n: coxph.n, events: coxph.events },
    references: {
      coxph_m3: { c: round(coxph.harrell), ci95: coxph.harrell_ci95.map((v) => round(v)) },
      frax: frax ? { c: round(frax.harrell), ci95: frax.harrell_ci95.map((v) => round(v)) } : null,
      oracle: round(r.truth!.oracle_harrell), clinical_only_line: round(r.truth!.clinical_only_harrell), all_columns_line: round(r.truth!.all_columns_harrell),
    },
    image_models: images.map((m) => {
      const share = r.truth!.gain_share.find((g) => g.key === m.key);
      return {
        key: m.key, c: round(m.harrell), ci95: m.harrell_ci95.map((v) => round(v)),
        minus_coxph_m3: paired(m.key, 'coxph_m3_all'), minus_frax: paired(m.key, 'frax_all'),
        oracle_gain_share: share ? { share: round(share.share), ci95: share.ci95.map((v) => round(v)) } : null,
      };
    }),
    variant_chosen: r.variants?.find((v) => v.chosen) ? `${r.variants.find((v) => v.chosen)!.variant}${r.variants.find((v) => v.chosen)!.masks ? '-masks' : ''}` : null,
    keypoints: r.landmarks ? { ap: r.landmarks.ap, mre_mm: r.landmarks.mre_mm } : null,
  };
}

const settings = {
  patients: Number(env('BENCH_PATIENTS', '2400')), size: Number(env('BENCH_SIZE', '512')),
  test_fraction: Number(env('BENCH_TEST_FRACTION', '0.5')), seed: Number(env('BENCH_SEED', '1')),
};
let timings: Record<string, Timed> | null = null;
let studyDir = process.env.BENCH_RESULTS;
let cleanup: string | null = null;
try {
  if (studyDir === undefined) {
    const work = process.env.BENCH_DIR ?? (cleanup = mkdtempSync(join(tmpdir(), 'spinesurv-bench-study-')));
    const cohort = join(work, 'cohort');
    studyDir = join(work, 'study');
    timings = {};
    const { isReusableCohort } = await import('../../src/synth/reuse.js');
    const { DEFAULT_PARAMS, withTestFraction } = await import('../../src/synth/params.js');
    const wanted = { patients: settings.patients, size: settings.size, seed: settings.seed, params: withTestFraction(DEFAULT_PARAMS, settings.test_fraction) };
    if (!existsSync(cohort) || !isReusableCohort(cohort, wanted)) {
      timings.synth = run(['synth', '--out', cohort, '--force', '--patients', String(settings.patients), '--size', String(settings.size),
        '--test-fraction', String(settings.test_fraction), '--seed', String(settings.seed)]);
    }
    timings.study = run(['study', '--cohort', cohort, '--out', studyDir, '--force', '--seed', String(settings.seed)]);
  }
  const summary = { settings, study: process.env.BENCH_RESULTS ?? null, timings, ...summarise(studyDir) };
  writeFileSync(join(root, 'bench', 'study', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
} finally {
  if (cleanup !== null) rmSync(cleanup, { recursive: true, force: true });
}
