/**
 * npm run bench:stability
 *   How much of an image model's test C-index is the chance of its training: the demo's study (the
 *   default synthetic cohort, seed 1, the reproducible compute mode) run again with the image models'
 *   training seed (study.json images.model_seed) set to 1..N, every stage before the image models
 *   reused, all patients. It prints, per model, the test C of each training seed, their mean and SD,
 *   CoxPH model 3's C in the same runs (it does not depend on the training seed), and whether
 *   issue 20's bar holds: SD <= 0.03 and a mean above CoxPH model 3.
 * Settings: BENCH_COHORT (default demo-out/cohort: `npm run demo` makes it), BENCH_DIR (work folder,
 * kept; default a new temporary folder), BENCH_FROM (a finished study folder of that cohort whose
 * stages to reuse, e.g. demo-out/study; hard-linked into the work folder first), BENCH_SEEDS (5),
 * BENCH_BOOTSTRAP (200: the CIs are not the point here). Writes bench/stability/results.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StudyResults } from '../../src/report/results.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'spinesurv.js');
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

const cohort = resolve(env('BENCH_COHORT', join(root, 'demo-out', 'cohort')));
const seeds = Number(env('BENCH_SEEDS', '5'));
const bootstrap = env('BENCH_BOOTSTRAP', '200');
if (!existsSync(join(cohort, 'cohort.csv'))) throw new Error(`${cohort}: no cohort.csv (run \`npm run demo\` first, or set BENCH_COHORT)`);
const work = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'spinesurv-bench-stability-'));
mkdirSync(work, { recursive: true });
const studyDir = join(work, 'study');
if (process.env.BENCH_FROM && !existsSync(studyDir)) {
  // Hard links: the reused stages cost no copy, and the source folder is never written.
  const cp = spawnSync('cp', ['-al', resolve(process.env.BENCH_FROM), studyDir], { stdio: 'inherit' });
  if (cp.status !== 0) throw new Error(`cp -al ${process.env.BENCH_FROM} ${studyDir} failed`);
}

interface Run {
  model_seed: number;
  seconds: number;
  c: Record<string, number>;
}

const runs: Run[] = [];
for (let seed = 1; seed <= seeds; seed++) {
  const config = join(work, `study-seed-${seed}.json`);
  writeFileSync(config, JSON.stringify({ subgroups: ['all'], images: { model_seed: seed } }, null, 2) + '\n');
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, 'study', '--cohort', cohort, '--out', studyDir, '--force', '--seed', '1', '--config', config, '--bootstrap', bootstrap], {
    encoding: 'utf8', stdio: ['ignore', 2, 'pipe'], maxBuffer: 256 << 20,
  });
  process.stderr.write((r.stderr ?? '').split('\n').filter((l) => /members trained|fitted in|reused/.test(l)).join('\n') + '\n');
  if (r.status !== 0) throw new Error(`spinesurv study (model_seed ${seed}) exited ${r.status}:\n${(r.stderr ?? '').slice(-2000)}`);
  const results = JSON.parse(readFileSync(join(studyDir, 'results.json'), 'utf8')) as StudyResults;
  const c = Object.fromEntries(results.test.models.filter((m) => m.subgroup === 'all').map((m) => [m.key, m.harrell]));
  runs.push({ model_seed: seed, seconds: (Date.now() - started) / 1000, c });
  process.stderr.write(`bench:stability: model_seed ${seed}: ${Object.entries(c).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const coxph = mean(runs.map((r) => r.c.coxph_m3_all));
const imageKeys = Object.keys(runs[0].c).filter((k) => k.startsWith('deepsurv_image'));
const table = imageKeys.map((key) => {
  const cs = runs.map((r) => r.c[key]);
  return { model: key, c_by_seed: cs.map((v) => round(v)), mean: round(mean(cs)), sd: round(sd(cs), 4), min: round(Math.min(...cs)), max: round(Math.max(...cs)), sd_at_most_0_03: sd(cs) <= 0.03, mean_above_coxph_m3: mean(cs) > coxph };
});
const summary = { cohort, seeds, bootstrap: Number(bootstrap), coxph_m3_all: round(coxph), runs, table };
writeFileSync(join(root, 'bench', 'stability', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
process.stdout.write(`model                          ${runs.map((r) => `seed ${r.model_seed}`.padStart(7)).join(' ')}    mean     SD   bar\n`);
for (const t of table) {
  process.stdout.write(`${t.model.padEnd(30)} ${t.c_by_seed.map((v) => v.toFixed(3).padStart(7)).join(' ')}  ${t.mean.toFixed(3)}  ${t.sd.toFixed(3)}   ${t.sd_at_most_0_03 && t.mean_above_coxph_m3 ? 'holds' : 'FAILS'}\n`);
}
process.stdout.write(`coxph_m3_all (same runs)       ${coxph.toFixed(3)}\n`);
