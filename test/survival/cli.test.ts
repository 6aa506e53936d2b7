import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAllClose, assertClose, fixture, honest, more, reference } from './fixtures.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withTmp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-cli-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('spinesurv cox --json prints the CLI.md keys with R values; --out writes a model folder', () => {
  withTmp((dir) => {
    const ref = reference.cox[1]; // lung, breslow
    const out = join(dir, 'model');
    const r = run(['cox', '--data', fixture('lung.csv'), '--time', 'time', '--event', 'status', '--covariates', ref.covariates.join(','), '--ties', 'breslow', '--drop-missing', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON object on stdout');
    const j = JSON.parse(lines[0]);
    for (const key of ['n', 'nevent', 'ties', 'covariates', 'coef', 'se', 'hr', 'hr_ci95', 'p', 'loglik', 'loglik0', 'concordance', 'iterations', 'converged']) {
      assert.ok(key in j, `key ${key}`);
    }
    assert.equal(j.n, ref.n);
    assert.equal(j.ties, 'breslow');
    assert.deepEqual(j.covariates, ref.covariates);
    assertAllClose(j.coef, ref.coef, 1e-6, 'coef', true);
    assertAllClose(j.se, ref.se, 1e-5, 'se', true);
    assertClose(j.loglik, ref.loglik, 1e-6, 'loglik');
    assertClose(j.concordance, ref.concordance, 1e-9, 'concordance');
    assert.equal(j.hr_ci95.length, 3);
    assert.ok(j.hr_ci95[0][0] < j.hr[0] && j.hr[0] < j.hr_ci95[0][1]);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(model.kind, 'coxph');
    assert.equal(model.format_version, 1);
    assert.deepEqual(model.coef, j.coef);
    assert.deepEqual(model.fit, j);
    assert.match(model.created_by, /^spinesurv \d+\.\d+\.\d+/);
  });
});

test('spinesurv cox --strata fits per-stratum baselines (as R) and stores them in the model folder', () => {
  withTmp((dir) => {
    const ref = more.cox.find((c: { strata?: string; ties: string }) => c.strata && c.ties === 'efron');
    const out = join(dir, 'm');
    const r = run(['cox', '--data', fixture('lung.csv'), '--time', 'time', '--event', 'status', '--covariates', ref.covariates.join(','), '--strata', 'female', '--drop-missing', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assertAllClose(j.coef, ref.coef, 1e-6, 'stratified coef', true);
    assert.deepEqual(j.strata, { column: 'female', levels: ['0', '1'] });
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(model.strata.column, 'female');
    assert.equal(model.strata.baselines.length, 2);
    for (const b of ref.baseline) {
      const k = model.strata.levels.indexOf(String(b.stratum));
      b.index.forEach((idx: number, q: number) => assertClose(model.strata.baselines[k].cumhaz[idx - 1], b.hazard[q], 1e-8, `H0 ${b.stratum}`, true));
    }
  });
});

test('spinesurv concordance --json: Harrell, SE, Uno as R; --bootstrap CIs repeat with --seed', () => {
  // C(karno) = 1 - C(-karno) exactly (tied pairs count one half either way); same SE.
  const base = ['concordance', '--data', fixture('veteran.csv'), '--time', 'time', '--event', 'status', '--score', 'karno', '--json', '--bootstrap', '30', '--seed', '4'];
  const r = run(base);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.n, 137);
  assertClose(j.harrell, 1 - reference.concordance.harrell, 1e-9, 'harrell');
  assertClose(j.harrell_se, reference.concordance.harrell_se, 1e-9, 'harrell se');
  assertClose(j.uno, 1 - reference.concordance.uno, 1e-9, 'uno');
  const again = JSON.parse(run(base).stdout);
  assert.deepEqual(again.harrell_ci95, j.harrell_ci95);
  assert.deepEqual(again.uno_ci95, j.uno_ci95);
  assert.ok(j.harrell_ci95[0] < j.harrell && j.harrell < j.harrell_ci95[1]);
  assert.ok(j.uno_ci95[0] < j.uno && j.uno < j.uno_ci95[1]);
});

test('spinesurv km and table1 --json', () => {
  const k = run(['km', '--data', fixture('veteran.csv'), '--time', 'time', '--event', 'status', '--times', '30,90,180,365', '--group', 'trt', '--json']);
  assert.equal(k.code, 0, k.stderr);
  const j = JSON.parse(k.stdout);
  assertAllClose(j.overall.surv, reference.kaplan_meier.surv, 1e-12, 'km surv');
  assertAllClose(j.overall.lower95, reference.kaplan_meier.lower95, 1e-12, 'km lower');
  // The log-rank test as R's survdiff computes it.
  const lr = honest.logrank_veteran_trt;
  assertClose(j.log_rank.chisq, lr.chisq, 1e-9, 'log-rank chi-square', true);
  assert.equal(j.log_rank.df, lr.df);
  assertClose(j.log_rank.p, lr.p, 1e-9, 'log-rank p', true);
  assertAllClose(j.log_rank.expected, lr.expected, 1e-9, 'log-rank expected', true);
  assert.deepEqual(Object.keys(j.groups), ['0', '1']);
  const t = run(['table1', '--data', fixture('veteran.csv'), '--group', 'trt', '--continuous', 'age,karno', '--categorical', 'prior', '--json']);
  assert.equal(t.code, 0, t.stderr);
  const tj = JSON.parse(t.stdout);
  assert.deepEqual(tj.groups, ['0', '1']);
  assert.equal(tj.rows.length, 3);
  // Each row's test and p-value as R's t.test / chisq.test give them.
  const r1 = honest.table1_veteran_trt;
  for (const [i, name] of ['age', 'karno', 'prior'].entries()) {
    assert.equal(tj.rows[i].test, r1[name].test, `${name} test`);
    assertClose(tj.rows[i].p, r1[name].p, 1e-9, `table1 ${name} p`, true);
  }
});

test('bad inputs exit 2 with a message naming the column and line', () => {
  withTmp((dir) => {
    const csv = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const good = 'time,status,x\n5,1,0.5\n3,0,1.5\n8,1,2.5\n2,1,0.1\n';
    const cases: [string, string[], RegExp][] = [
      [csv('neg.csv', good.replace('3,0,1.5', '-3,0,1.5')), [], /column "time", line 3: negative time/],
      [csv('miss.csv', good.replace('8,1,2.5', ',1,2.5')), [], /column "time", line 4: missing value/],
      [csv('ev.csv', good.replace('2,1,0.1', '2,2,0.1')), [], /column "status", line 5: event must be 0 or 1/],
      [csv('nonnum.csv', good.replace('3,0,1.5', '3,0,abc')), [], /column "x", line 3: "abc" is not a number/],
      [csv('ok.csv', good), ['--covariates', 'nope'], /no column "nope"/],
    ];
    for (const [file, extra, message] of cases) {
      // Every case through cox; the shared reader makes concordance behave the same (two cases spot-check it).
      for (const cmd of /neg|ok/.test(file) ? ['cox', 'concordance'] : ['cox']) {
        const args = cmd === 'cox' ? ['cox', '--data', file, '--time', 'time', '--event', 'status', '--covariates', 'x', ...extra] : ['concordance', '--data', file, '--time', 'time', '--event', 'status', '--score', extra.length ? 'nope' : 'x'];
        const r = run([...args, '--json']);
        assert.equal(r.code, 2, `${cmd} ${file}: ${r.stderr}`);
        assert.match(r.stderr, message, `${cmd} ${file}`);
        assert.equal(r.stdout, '');
      }
    }
    const usage = run(['cox', '--data', csv('u.csv', good), '--time', 'time', '--event', 'status']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--covariates is required/);
    const ties = run(['cox', '--data', csv('t.csv', good), '--time', 'time', '--event', 'status', '--covariates', 'x', '--ties', 'exact']);
    assert.equal(ties.code, 2);
    assert.match(ties.stderr, /--ties must be one of efron, breslow/);
  });
});
