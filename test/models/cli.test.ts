import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../../src/util/random.js';
import { parseCsv } from '../../src/util/csv.js';
import { simulateDeepSurvData } from '../../src/models/simulate.js';
import { coxph, saveCoxModel } from '../../src/survival/index.js';
import { assertAllClose } from '../survival/fixtures.js';
import { rscript } from '../survival/rscript.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function writeCohort(path: string, n: number): { x: Float64Array; time: Float64Array; event: Uint8Array } {
  const d = simulateDeepSurvData({ n, kind: 'linear', rng: new Random(4), features: 3 });
  const lines = ['id,a,b,c,time,status'];
  for (let i = 0; i < n; i++) lines.push(`p${i},${d.x[i * 3]},${d.x[i * 3 + 1]},${d.x[i * 3 + 2]},${d.time[i]},${d.event[i]}`);
  writeFileSync(path, lines.join('\n') + '\n');
  return d;
}

test('deepsurv fit then predict: rows kept in order, risk and surv_<t> columns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepsurv-cli-'));
  try {
    const csv = join(dir, 'cohort.csv');
    writeCohort(csv, 300);
    const model = join(dir, 'model');
    const fit = run(['deepsurv', 'fit', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'a,b,c', '--out', model, '--epochs', '30', '--width', '8', '--seed', '3', '--json']);
    assert.equal(fit.status, 0, fit.stderr);
    const summary = JSON.parse(fit.stdout);
    assert.equal(summary.n, 300);
    assert.ok(existsSync(join(model, 'weights.safetensors')));
    assert.ok(fit.stderr.includes('fit:'), 'progress goes to stderr');
    const out = join(dir, 'pred.csv');
    const pred = run(['predict', '--model', model, '--data', csv, '--out', out, '--times', '1,3.5']);
    assert.equal(pred.status, 0, pred.stderr);
    const table = parseCsv(readFileSync(out, 'utf8'));
    assert.deepEqual(table.header, ['id', 'a', 'b', 'c', 'time', 'status', 'risk', 'surv_1', 'surv_3.5']);
    assert.deepEqual(table.strings('id'), Array.from({ length: 300 }, (_, i) => `p${i}`));
    const s1 = table.numbers('surv_1');
    const s3 = table.numbers('surv_3.5');
    const risk = table.numbers('risk');
    for (let i = 0; i < 300; i++) assert.ok(s1[i] <= 1 && s3[i] >= 0 && s3[i] <= s1[i]);
    // Risk is informative: higher true risk (a + 2b) ranks higher.
    const a = table.numbers('a');
    const b = table.numbers('b');
    let agree = 0;
    for (let i = 1; i < 300; i++) if (Math.sign(risk[i] - risk[i - 1]) === Math.sign(a[i] + 2 * b[i] - a[i - 1] - 2 * b[i - 1])) agree++;
    assert.ok(agree / 299 > 0.75, `risk agrees with the truth on ${agree}/299 pairs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('predict works on a saved Cox model folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepsurv-cli-'));
  try {
    const csv = join(dir, 'cohort.csv');
    const d = writeCohort(csv, 200);
    const cols = [0, 1, 2].map((j) => Float64Array.from({ length: 200 }, (_, i) => d.x[i * 3 + j]));
    const fit = coxph({ time: d.time, event: d.event, covariates: cols, names: ['a', 'b', 'c'] });
    await saveCoxModel(join(dir, 'cox'), fit, ['a', 'b', 'c']);
    // A stratified model reads each row's stratum from the column it was fitted with.
    const group = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 'x' : 'y'));
    const strat = coxph({ time: d.time, event: d.event, covariates: cols, names: ['a', 'b', 'c'], strata: group });
    await saveCoxModel(join(dir, 'cox-strata'), strat, ['a', 'b', 'c'], { strataColumn: 'id' });
    const grouped = join(dir, 'grouped.csv');
    const text = readFileSync(csv, 'utf8').split('\n').map((line, i) => (i === 0 || line === '' ? line : line.replace(/^p\d+/, group[i - 1]))).join('\n');
    writeFileSync(grouped, text);
    const rs = run(['predict', '--model', join(dir, 'cox-strata'), '--data', grouped, '--out', join(dir, 'ps.csv'), '--times', '2']);
    assert.equal(rs.status, 0, rs.stderr);
    const ps = parseCsv(readFileSync(join(dir, 'ps.csv'), 'utf8')).numbers('surv_2');
    const out = join(dir, 'pred.csv');
    const r = run(['predict', '--model', join(dir, 'cox'), '--data', csv, '--out', out, '--times', '2']);
    assert.equal(r.status, 0, r.stderr);
    const table = parseCsv(readFileSync(out, 'utf8'));
    const risk = table.numbers('risk');
    const surv = table.numbers('surv_2');
    // R fits the same models on the same files: risk is the uncentred x'beta, surv_2 is survfit's S(2 | x)
    // (per stratum for the stratified model).
    const ref = rscript(`
      d <- read.csv(args[1]); g <- read.csv(args[2])
      f <- coxph(Surv(time, status) ~ a + b + c, data = d)
      fs <- coxph(Surv(time, status) ~ a + b + c + strata(id), data = g)
      emit(list(risk = as.vector(as.matrix(d[, c("a", "b", "c")]) %*% coef(f)),
                surv = as.vector(summary(survfit(f, newdata = d), times = 2)$surv),
                surv_strata = sapply(seq_len(nrow(g)), function(i) summary(survfit(fs, newdata = g[i, ]), times = 2)$surv)))`,
    [csv, grouped]);
    assertAllClose(risk, ref.risk, 1e-7, 'risk vs R x\'beta');
    assertAllClose(surv, ref.surv, 1e-7, 'surv_2 vs R survfit');
    assertAllClose(ps, ref.surv_strata, 1e-7, 'stratified surv_2 vs R survfit');
    assert.notEqual(ps[0], ps[1], 'rows 0 (stratum x) and 1 (stratum y) have their own baselines');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 naming the column and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepsurv-cli-'));
  try {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'a,b,time,status\n1,2,3,1\n2,,4,0\n3,1,5,2\n');
    const base = ['deepsurv', 'fit', '--data', csv, '--time', 'time', '--event', 'status', '--out', join(dir, 'm')];
    let r = run([...base, '--covariates', 'a,b']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /column "b", line 3: missing value/);
    r = run([...base, '--covariates', 'a', '--epochs', '5']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /column "status", line 4: event must be 0 or 1/);
    r = run([...base, '--covariates', 'a,zzz']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no column "zzz"/);
    r = run([...base, '--covariates', 'a', '--activation', 'tanh']);
    assert.equal(r.status, 2);
    r = run(['predict', '--model', join(dir, 'nowhere'), '--data', csv, '--out', join(dir, 'p.csv')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /model\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deepsurv search: seeded random search with k-fold CV, best configuration saved', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepsurv-cli-'));
  try {
    const csv = join(dir, 'cohort.csv');
    writeCohort(csv, 200);
    const args = ['deepsurv', 'search', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'a,b,c', '--trials', '2', '--folds', '2', '--epochs', '15', '--seed', '8', '--json'];
    const r = run([...args, '--out', join(dir, 'best')]);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.trials.length, 2);
    assert.equal(summary.trials[0].fold_c.length, 2);
    assert.equal(summary.best.mean_c, Math.max(...summary.trials.map((t: { mean_c: number }) => t.mean_c)));
    const model = JSON.parse(readFileSync(join(dir, 'best', 'model.json'), 'utf8'));
    assert.equal(model.kind, 'deepsurv');
    assert.equal(model.architecture.width, summary.best.config.width);
    assert.equal(model.provenance.search.best_trial, summary.best.trial);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
