/**
 * What the data commands accept as a user would give it, each checked against an independent
 * reference: R's coxph on text factors (veteran's celltype, a F/M sex), semicolon- and tab-separated
 * files, R's 1/2 event coding, NA treated alike by every command, predict with --drop-missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spinesurv-data-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs R code; returns its stdout as JSON. */
function r(code: string): any {
  const res = spawnSync('Rscript', ['-e', `suppressPackageStartupMessages({library(survival); library(jsonlite)}); ${code}`], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout);
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, k) => assert.ok(Math.abs(a - expected[k]) <= tol * Math.max(1, Math.abs(expected[k])), `${what}[${k}]: ${a} vs R ${expected[k]}`));
}

test("text covariates become R's treatment-coded dummies, named as R names them, with R's coefficients (veteran celltype; sex F/M)", () => {
  const csv = join(dir, 'veteran-text.csv');
  // R writes its own veteran data with celltype as text, then fits on what read.csv gives back.
  const ref = r(`write.csv(veteran, "${csv}", row.names = FALSE); d <- read.csv("${csv}");
    f <- coxph(Surv(time, status) ~ karno + celltype, data = d);
    g <- coxph(Surv(time, status) ~ karno + relevel(factor(celltype), ref = "large"), data = d);
    cat(toJSON(list(names = names(coef(f)), coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))), coef_large = unname(coef(g))), digits = NA))`);
  const fit = run(['cox', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'karno,celltype', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  const j = JSON.parse(fit.stdout);
  assert.deepEqual(j.covariates, ref.names); // karno, celltypelarge, celltypesmallcell, celltypesquamous
  assertClose(j.coef, ref.coef, 1e-6, 'coef');
  assertClose(j.se, ref.se, 1e-6, 'se');
  assert.match(fit.stderr, /celltype is text: dummies celltypelarge, celltypesmallcell, celltypesquamous against the reference level "adeno"/);
  assert.deepEqual(j.factors, [{ column: 'celltype', levels: ['adeno', 'large', 'smallcell', 'squamous'], reference: 'adeno', dummies: ['celltypelarge', 'celltypesmallcell', 'celltypesquamous'] }]);
  const relevel = run(['cox', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'karno,celltype', '--reference', 'celltype=large', '--json']);
  assert.equal(relevel.status, 0, relevel.stderr);
  const k = JSON.parse(relevel.stdout);
  assert.deepEqual(k.covariates, ['karno', 'celltypeadeno', 'celltypesmallcell', 'celltypesquamous']);
  assertClose(k.coef, ref.coef_large, 1e-6, 'coef with reference large');
  const bad = run(['cox', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'karno,celltype', '--reference', 'celltype=big']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--reference celltype=big: no such level in column "celltype" \(levels: adeno, large, smallcell, squamous\)/);
  // predict applies the stored coding: risk = uncentred x'beta as R's predict(type = "lp", reference = "zero").
  const model = join(dir, 'vet-model');
  assert.equal(run(['cox', '--data', csv, '--time', 'time', '--event', 'status', '--covariates', 'karno,celltype', '--out', model]).status, 0);
  const pred = join(dir, 'vet-pred.csv');
  const p = run(['predict', '--model', model, '--data', csv, '--out', pred]);
  assert.equal(p.status, 0, p.stderr);
  const lp = r(`d <- read.csv("${csv}"); f <- coxph(Surv(time, status) ~ karno + celltype, data = d); cat(toJSON(unname(predict(f, type = "lp", reference = "zero")), digits = NA))`);
  const risk = readFileSync(pred, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',').pop()));
  assertClose(risk, lp, 1e-6, 'risk');
  assert.match(run(['predict', '--help']).stdout, /for a Cox model it is the uncentred linear predictor x'beta/);
});

test('the synthetic cohort\'s own sex F/M column is a covariate (sexM against F), as R fits it', () => {
  const csv = join(dir, 'sex.csv');
  const lines = ['time,event,age,sex'];
  for (let i = 0; i < 60; i++) lines.push(`${(i * 37) % 50 + 1},${i % 4 === 0 ? 0 : 1},${50 + ((i * 7) % 30)},${i % 3 === 0 ? 'M' : 'F'}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const ref = r(`d <- read.csv("${csv}"); f <- coxph(Surv(time, event) ~ age + sex, data = d); cat(toJSON(list(names = names(coef(f)), coef = unname(coef(f))), digits = NA))`);
  const fit = run(['cox', '--data', csv, '--time', 'time', '--event', 'event', '--covariates', 'age,sex', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  const j = JSON.parse(fit.stdout);
  assert.deepEqual(j.covariates, ref.names);
  assert.deepEqual(j.covariates, ['age', 'sexM']);
  assertClose(j.coef, ref.coef, 1e-6, 'coef');
});

test('semicolon- and tab-separated files are read (found from the header, or --delimiter); a wrong separator is named in words', () => {
  const rows = [['time', 'status', 'x'], ['5', '1', '0.5'], ['8', '0', '1.5'], ['3', '1', '-2'], ['9', '1', '0.25'], ['4', '0', '3']];
  const comma = join(dir, 'c.csv');
  writeFileSync(comma, rows.map((r) => r.join(',')).join('\n') + '\n');
  const expected = JSON.parse(run(['concordance', '--data', comma, '--time', 'time', '--event', 'status', '--score', 'x', '--json']).stdout);
  // Hand-worked: comparable pairs (shorter time an event, other longer) and their concordance.
  assert.equal(expected.n, 5);
  for (const [name, sep] of [['semicolon', ';'], ['tab', '\t']]) {
    const f = join(dir, `${name}.csv`);
    writeFileSync(f, rows.map((r) => r.map((c, k) => (k === 0 ? ` ${c} ` : c)).join(sep)).join('\r\n') + '\r\n');
    const got = run(['concordance', '--data', f, '--time', 'time', '--event', 'status', '--score', 'x', '--json']);
    assert.equal(got.status, 0, `${name}: ${got.stderr}`);
    assert.deepEqual(JSON.parse(got.stdout), expected, name);
    const explicit = run(['concordance', '--data', f, '--time', 'time', '--event', 'status', '--score', 'x', '--json', '--delimiter', name === 'tab' ? 'tab' : ';']);
    assert.deepEqual(JSON.parse(explicit.stdout), expected, `${name} --delimiter`);
    const wrong = run(['concordance', '--data', f, '--time', 'time', '--event', 'status', '--score', 'x', '--delimiter', ',']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, new RegExp(`no column "time" .*this file looks ${name}-separated \\(pass --delimiter`));
  }
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'time,status,x\n5,1,0.5\n8;0;1.5\n');
  const rg = run(['concordance', '--data', ragged, '--time', 'time', '--event', 'status', '--score', 'x']);
  assert.equal(rg.status, 2);
  assert.equal(rg.stderr, `spinesurv concordance: ${ragged}: line 3 has 1 field but the header has 3; this file looks semicolon-separated (pass --delimiter ";")\n`);
  const decimalComma = join(dir, 'decimal-comma.csv');
  writeFileSync(decimalComma, 'time;status;x\n5;1;0,5\n8;0;1,5\n');
  const dc = run(['concordance', '--data', decimalComma, '--time', 'time', '--event', 'status', '--score', 'x']);
  assert.equal(dc.status, 2);
  assert.match(dc.stderr, /column "x", line 2: "0,5" is not a number \(a decimal comma\? write 0\.5\)/);
  const unclosed = join(dir, 'unclosed.csv');
  writeFileSync(unclosed, 'time,status,x\n5,1,"0.5\n8,0,1.5\n');
  assert.match(run(['concordance', '--data', unclosed, '--time', 'time', '--event', 'status', '--score', 'x']).stderr, /line 2: a quoted field is not closed/);
  const badDelimiter = run(['concordance', '--data', comma, '--time', 'time', '--event', 'status', '--score', 'x', '--delimiter', '|']);
  assert.equal(badDelimiter.status, 2);
  assert.match(badDelimiter.stderr, /--delimiter must be ",", ";" or "tab", got "\|"/);
});

test("R's 1/2 event coding is found and said, --event-value names any code, other codes are refused with advice", () => {
  const f = join(dir, 'lung-12.csv');
  // R's lung as R ships it: status 1 = censored, 2 = dead.
  const ref = r(`write.csv(lung[, c("time", "status", "age", "sex")], "${f}", row.names = FALSE, na = "");
    f <- coxph(Surv(time, status) ~ age + sex, data = lung); cat(toJSON(unname(coef(f)), digits = NA))`);
  const auto = run(['cox', '--data', f, '--time', 'time', '--event', 'status', '--covariates', 'age,sex', '--json']);
  assert.equal(auto.status, 0, auto.stderr);
  assertClose(JSON.parse(auto.stdout).coef, ref, 1e-6, 'coef (1/2 found)');
  assert.match(auto.stderr, /column "status" is coded 1\/2 as in R's Surv \(1 censored, 2 event\): reading 2 as the event/);
  const explicit = run(['cox', '--data', f, '--time', 'time', '--event', 'status', '--covariates', 'age,sex', '--event-value', '2', '--json']);
  assertClose(JSON.parse(explicit.stdout).coef, ref, 1e-6, 'coef (--event-value 2)');
  assert.doesNotMatch(explicit.stderr, /coded 1\/2/);
  const km = run(['km', '--data', f, '--time', 'time', '--event', 'status', '--event-value', '2', '--json']);
  assert.equal(km.status, 0, km.stderr);
  const kmRef = r(`cat(toJSON(list(n = nrow(lung), median = unname(summary(survfit(Surv(time, status) ~ 1, data = lung))$table["median"])), digits = NA, auto_unbox = TRUE))`);
  assert.equal(JSON.parse(km.stdout).overall.median, kmRef.median);
  const three = join(dir, 'three.csv');
  writeFileSync(three, 'time,status,x\n1,0,1\n2,1,2\n3,3,3\n4,1,1\n');
  const t = run(['cox', '--data', three, '--time', 'time', '--event', 'status', '--covariates', 'x']);
  assert.equal(t.status, 2);
  assert.match(t.stderr, /column "status", line 4: event must be 0 or 1, got 3 \(for another coding name the event's code with --event-value\)/);
  const missingCode = run(['cox', '--data', three, '--time', 'time', '--event', 'status', '--covariates', 'x', '--event-value', '2']);
  assert.equal(missingCode.status, 2);
  assert.match(missingCode.stderr, /more than two codes/);
});

test('NA and empty cells are missing in every command: the error names --drop-missing; table1 makes no group "NA"; predict --drop-missing', () => {
  const f = join(dir, 'na.csv');
  writeFileSync(f, 'time,event,x,g\n5,1,0.5,a\n8,0,NA,b\n3,1,-2,a\n9,1,0.25,NA\n4,0,3,b\n6,1,1,a\n7,0,2,b\n');
  for (const args of [
    ['cox', '--covariates', 'x'],
    ['concordance', '--score', 'x'],
  ]) {
    const r1 = run([args[0], '--data', f, '--time', 'time', '--event', 'event', ...args.slice(1)]);
    assert.equal(r1.status, 2, args[0]);
    assert.match(r1.stderr, /column "x", line 3: missing value \(pass --drop-missing to leave out rows with a missing value\)/, args[0]);
  }
  const km = run(['km', '--data', f, '--time', 'time', '--event', 'event', '--group', 'g']);
  assert.equal(km.status, 2);
  assert.match(km.stderr, /column "g", line 5: missing value \(pass --drop-missing/);
  const t1 = run(['table1', '--data', f, '--group', 'g', '--continuous', 'x']);
  assert.equal(t1.status, 2);
  assert.match(t1.stderr, /column "g", line 5: missing group \(empty or NA\)/);
  const model = join(dir, 'na-model');
  assert.equal(run(['cox', '--data', f, '--time', 'time', '--event', 'event', '--covariates', 'x', '--drop-missing', '--out', model]).status, 0);
  const out = join(dir, 'na-pred.csv');
  const refused = run(['predict', '--model', model, '--data', f, '--out', out]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /column "x", line 3: missing value \(pass --drop-missing to leave out such rows\)/);
  const dropped = run(['predict', '--model', model, '--data', f, '--out', out, '--drop-missing']);
  assert.equal(dropped.status, 0, dropped.stderr);
  assert.match(dropped.stderr, /left out 1 row with a missing value/);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 7);
  assert.ok(!lines.some((l) => l.startsWith('8,0,NA')));
});

test('more covariates than rows are refused at once, and a list of thousands of columns is capped', () => {
  const f = join(dir, 'wide.csv');
  const names = Array.from({ length: 3000 }, (_, k) => `v${k}`);
  const lines = [['time', 'event', ...names].join(',')];
  for (let i = 0; i < 10; i++) lines.push([i + 1, i % 2, ...names.map((_, k) => (i * 31 + k) % 7)].join(','));
  writeFileSync(f, lines.join('\n') + '\n');
  const many = run(['cox', '--data', f, '--time', 'time', '--event', 'event', '--covariates', names.slice(0, 20).join(',')]);
  assert.equal(many.status, 2);
  assert.match(many.stderr, /20 covariates \(design columns\) for 10 rows: a model needs fewer covariates than rows/);
  const deep = run(['deepsurv', 'fit', '--data', f, '--time', 'time', '--event', 'event', '--covariates', names.slice(0, 20).join(','), '--out', join(dir, 'wide-model')]);
  assert.equal(deep.status, 2);
  assert.match(deep.stderr, /20 covariates \(design columns\) for 10 rows/);
  const typo = run(['cox', '--data', f, '--time', 'time', '--event', 'event', '--covariates', 'nope']);
  assert.equal(typo.status, 2);
  assert.ok(typo.stderr.length < 400, `capped: ${typo.stderr.length} characters`);
  assert.match(typo.stderr, /no column "nope" \(columns: time, event, v0, .* and 2982 more\)/);
});
