import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coxph, cumhazAt } from '../../src/survival/index.js';
import { InputError } from '../../src/util/errors.js';
import { assertAllClose, assertClose, completeCases, more, reference, type Json } from './fixtures.js';

function fitFromRef(r: Json, extra: Record<string, unknown> = {}) {
  const timeCol = r.time ?? 'time';
  const eventCol = r.event ?? 'status';
  const cols = [timeCol, eventCol, ...r.covariates, ...(r.strata ? [r.strata] : [])];
  const t = completeCases(r.data, cols);
  return {
    table: t,
    fit: coxph({
      time: t.numbers(timeCol),
      event: t.numbers(eventCol),
      covariates: r.covariates.map((c: string) => t.numbers(c)),
      names: r.covariates,
      ties: r.ties,
      strata: r.strata ? t.strings(r.strata) : undefined,
      weights: r.weight_values,
      ...extra,
    }),
  };
}

function checkAgainstR(r: Json, label: string, withSeAndIter: boolean) {
  const { fit } = fitFromRef(r);
  assert.equal(fit.n, r.n, `${label} n`);
  assert.equal(fit.nevent, r.nevent, `${label} nevent`);
  assertAllClose(fit.coef, r.coef, 1e-6, `${label} coef`, true);
  // R switches to the robust (sandwich) SE for non-integer case weights, and so do we.
  assertAllClose(fit.se, r.se, 1e-5, `${label} se`, true);
  // R reports a separate naive SE exactly for the weighted fits (elsewhere the model-based SE is the SE).
  const weighted = r.weights !== undefined;
  assert.equal(Array.isArray(r.se_naive), weighted, `${label}: reference has a naive SE only when weighted`);
  assert.equal(fit.robust, weighted, `${label} robust`);
  assertAllClose(fit.naiveVar.map((row, i) => Math.sqrt(row[i])), weighted ? r.se_naive : r.se, 1e-5, `${label} naive se`, true);
  assertClose(fit.loglik, r.loglik, 1e-6, `${label} loglik`);
  assertClose(fit.loglik0, r.loglik0, 1e-6, `${label} loglik0`);
  assertClose(fit.concordance!.c, r.concordance, 1e-9, `${label} concordance`);
  // reference.json (the first export) has no concordance SE or iteration count; more-references.json has both.
  assert.equal(r.concordance_se !== undefined, withSeAndIter, `${label}: concordance SE in the reference`);
  assert.equal(r.iter !== undefined, withSeAndIter, `${label}: iterations in the reference`);
  if (withSeAndIter) {
    assertClose(fit.concordance!.se, r.concordance_se, 1e-9, `${label} concordance se`);
    assert.equal(fit.iterations, r.iter, `${label} iterations`);
  }
  assert.equal(fit.converged, true);
  assert.deepEqual(fit.warnings, []);
  return fit;
}

test('Cox on lung and veteran, Efron and Breslow, agrees with R coxph (coef, SE, loglik, C, baseline)', () => {
  for (const r of reference.cox) {
    const label = `${r.data} ${r.ties}`;
    const fit = checkAgainstR(r, label, false);
    const b = r.baseline_cumhaz_uncentered;
    [4, 19, 49].forEach((k, q) => assert.equal(fit.baseline.time[k], b.time[q], `${label} baseline time ${k}`));
    for (let q = 0; q < b.time.length; q++) assertClose(cumhazAt(fit.baseline, b.time[q]), b.hazard[q], 1e-8, `${label} H0(${b.time[q]})`, true);
  }
});

test('Cox with strata, case weights, and on flchain (many ties) agrees with R, both tie methods', () => {
  for (const r of more.cox) {
    const label = `${r.data} ${r.ties} ${r.strata ? 'strata' : r.weights ? 'weights' : ''}`;
    const fit = checkAgainstR(r, label, true);
    for (const b of r.baseline) {
      const k = fit.strataLevels.length > 1 ? fit.strataLevels.indexOf(String(b.stratum)) : 0;
      assert.ok(k >= 0, `stratum ${b.stratum}`);
      const curve = fit.baselineByStratum[k];
      b.index.forEach((idx: number, q: number) => {
        assert.equal(curve.time[idx - 1], b.time[q]);
        assertClose(curve.cumhaz[idx - 1], b.hazard[q], 1e-8, `${label} H0 stratum ${b.stratum} at ${b.time[q]}`, true);
      });
    }
  }
});

test('predicted survival S(t|x) = exp(-H0(t) exp(x.beta)) and stratified prediction needs a stratum', () => {
  const r = more.cox.find((c: Json) => c.strata);
  const { fit } = fitFromRef(r);
  const x = [60, 1];
  const eta = fit.coef[0] * 60 + fit.coef[1];
  const t = 300;
  const level = fit.strataLevels[1];
  assertClose(fit.survival(t, x, level), Math.exp(-cumhazAt(fit.baselineByStratum[1], t) * Math.exp(eta)), 1e-15, 'S(t|x)');
  assert.throws(() => fit.survival(t, x), /stratified model/);
  assert.equal(fit.survival(0, x, level), 1);
});

test('ridge penalty agrees with R coxph(ridge(..., scale = FALSE))', () => {
  const r = more.ridge;
  const t = completeCases(r.data, ['time', 'status', 'age', 'ph_ecog', 'female']);
  const fit = coxph({ time: t.numbers('time'), event: t.numbers('status'), covariates: r.covariates.map((c: string) => t.numbers(c)), names: r.covariates, ridge: r.theta });
  assertAllClose(fit.coef, r.coef, 1e-5, 'ridge coef', true);
  assertAllClose(fit.se, r.se, 1e-4, 'ridge se', true);
  assertClose(fit.penalty, r.penalty[1], 1e-6, 'ridge penalty', true);
});

test('monotone likelihood gives R-style warning "Loglik converged before variable ..."', () => {
  const rows = more.monotone.data as { time: number; status: number; x: number; z: number }[];
  const fit = coxph({ time: rows.map((r) => r.time), event: rows.map((r) => r.status), covariates: [rows.map((r) => r.x), rows.map((r) => r.z)], names: ['x', 'z'] });
  assert.match(more.monotone.warning, /Loglik converged before variable +1 /);
  assert.equal(fit.warnings.length, 1);
  assert.match(fit.warnings[0], /Loglik converged before variable "x"; coefficient may be infinite/);
  assert.ok(fit.coef[0] > 10, 'the coefficient runs away');
  assertAllClose(fit.coef, more.monotone.coef, 1e-6, 'monotone coef (same iteration path as R)', true);
});

test('bad Cox inputs: no events, constant column, collinear columns, negative time, bad events', () => {
  const time = [5, 3, 8, 2, 9, 4];
  const x = [1.2, 0.4, 2.2, 1.9, 0.1, 1.0];
  assert.throws(() => coxph({ time, event: [0, 0, 0, 0, 0, 0], covariates: [x] }), (e: unknown) => e instanceof InputError && /no events/.test(e.message));
  assert.throws(() => coxph({ time, event: [1, 0, 1, 1, 0, 1], covariates: [x, [3, 3, 3, 3, 3, 3]], names: ['a', 'k'] }), /covariate "k" is constant/);
  assert.throws(
    () => coxph({ time, event: [1, 0, 1, 1, 0, 1], covariates: [x, x.map((v) => 2 * v + 1)], names: ['a', 'b'] }),
    /collinear: "b" is a linear combination/,
  );
  assert.throws(() => coxph({ time: [5, -3, 8, 2, 9, 4], event: [1, 0, 1, 1, 0, 1], covariates: [x] }), /row 1: negative time/);
  assert.throws(() => coxph({ time, event: [1, 0, 2, 1, 0, 1], covariates: [x] }), /row 2: event must be 0 or 1/);
  assert.throws(() => coxph({ time: [5, NaN, 8, 2, 9, 4], event: [1, 0, 1, 1, 0, 1], covariates: [x] }), /row 1: missing/);
});

test('timefix: times equal up to rounding noise are ties, as R (aeqSurv) in coxph, concordance and survfit', async () => {
  const { kaplanMeier, harrellC } = await import('../../src/survival/index.js');
  const r = more.timefix;
  // The same expressions as the R script, so the doubles are identical.
  const time = [0.1 + 0.2, 0.3, 0.5, 0.7, 0.7 + 1e-10, 1.1, 1.3, 1.3 * (1 + 1e-9), 2, 2.5, 3, 3.5];
  const status = r.data.map((d: Json) => d.status);
  const x = r.data.map((d: Json) => d.x);
  const fit = coxph({ time, event: status, covariates: [x] });
  assertClose(fit.coef[0], r.coef, 1e-6, 'coef', true);
  assertAllClose([fit.loglik0, fit.loglik], r.loglik, 1e-9, 'loglik');
  assertClose(fit.concordance!.c, r.concordance, 1e-12, 'C');
  assertClose(harrellC(time, status, x).c, r.concordance, 1e-12, 'harrellC');
  const km = kaplanMeier(time, status);
  assertAllClose(km.time, r.km_time, 1e-9, 'km times');
  assertAllClose(km.surv, r.km_surv, 1e-12, 'km surv');
  // Without timefix the near-ties stay distinct (a different fit).
  assert.notEqual(coxph({ time, event: status, covariates: [x], timefix: false }).loglik, fit.loglik);
});

test('robust (sandwich) variance from score residuals agrees with R coxph(robust = TRUE), both ties', () => {
  for (const r of more.robust) {
    const t = completeCases(r.data, ['time', 'status', ...r.covariates]);
    const fit = coxph({ time: t.numbers('time'), event: t.numbers('status'), covariates: r.covariates.map((c: string) => t.numbers(c)), ties: r.ties, robust: true });
    assertAllClose(fit.coef, r.coef, 1e-6, `${r.ties} coef`, true);
    assertAllClose(fit.se, r.se, 1e-6, `${r.ties} robust se`, true);
    assertAllClose(fit.naiveVar.map((row, i) => Math.sqrt(row[i])), r.se_naive, 1e-6, `${r.ties} naive se`, true);
  }
});

test('offset, and a fit stopped by maxIter, agree with R', () => {
  const o = more.offset;
  const d = completeCases('lung.csv', ['time', 'status', 'age', 'female', 'ph_ecog']);
  const ecog = d.numbers('ph_ecog');
  const fit = coxph({ time: d.numbers('time'), event: d.numbers('status'), covariates: o.covariates.map((c: string) => d.numbers(c)), offset: ecog.map((v) => 0.5 * v) });
  assertAllClose(fit.coef, o.coef, 1e-6, 'offset coef', true);
  assertAllClose(fit.se, o.se, 1e-5, 'offset se', true);
  assertAllClose([fit.loglik0, fit.loglik], o.loglik, 1e-6, 'offset loglik');
  const m = more.maxiter;
  const stopped = coxph({ time: d.numbers('time'), event: d.numbers('status'), covariates: m.covariates.map((c: string) => d.numbers(c)), maxIter: m.iter_max });
  assert.equal(stopped.converged, false);
  assert.match(stopped.warnings.join(' '), /did not converge/);
  assertAllClose(stopped.coef, m.coef, 1e-9, 'one-step coef', true);
  assertAllClose([stopped.loglik0, stopped.loglik], m.loglik, 1e-9, 'one-step loglik');
});
