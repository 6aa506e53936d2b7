import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coxph, loadCoxModel, saveCoxModel } from '../../src/survival/index.js';
import { readCsv } from '../../src/util/csv.js';
import { fixture } from './fixtures.js';

test('saveCoxModel writes model.json in the agreed format and loadCoxModel predicts the same survival', async () => {
  const v = readCsv(fixture('veteran.csv'));
  const covs = ['karno', 'age'];
  const X = covs.map((c) => v.numbers(c));
  const fit = coxph({ time: v.numbers('time'), event: v.numbers('status'), covariates: X, names: covs });
  const dir = mkdtempSync(join(tmpdir(), 'coxmodel-'));
  try {
    const out = join(dir, 'model');
    await saveCoxModel(out, fit, covs, { summary: { n: fit.n }, version: '9.9.9' });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(json.kind, 'coxph');
    assert.equal(json.format_version, 1);
    assert.deepEqual(json.covariates, covs);
    assert.equal(json.ties, 'efron');
    assert.equal(json.created_by, 'spinesurv 9.9.9');
    assert.deepEqual(json.fit, { n: fit.n });
    assert.equal(json.baseline.time.length, json.baseline.cumhaz.length);
    const model = loadCoxModel(out);
    for (const t of [0, 30, 100, 400, 10000]) {
      for (const x of [[60, 60], [30, 70], [90, 40]]) assert.equal(model.survival(t, x), fit.survival(t, x));
    }
    assert.throws(() => model.survival(10, [1]), /expected 2 covariate values/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadCoxModel rejects a folder that is not a coxph model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coxmodel-'));
  try {
    assert.throws(() => loadCoxModel(join(dir, 'missing')), /cannot read a model/);
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify({ kind: 'deepsurv', format_version: 1 }));
    assert.throws(() => loadCoxModel(join(dir, 'm')), /not "coxph"/);
    writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify({ kind: 'coxph', format_version: 1, covariates: ['a'], coef: [1, 2], baseline: { time: [], cumhaz: [] } }));
    assert.throws(() => loadCoxModel(join(dir, 'm')), /malformed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
