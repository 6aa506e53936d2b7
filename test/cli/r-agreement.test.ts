/**
 * Text and options of the CLI checked against R run in the test: --ridge with R's ridge(scale = TRUE)
 * (the default) and scale = FALSE, and km's per-group n, events, median and the median's 95% CI as
 * R's print(survfit) shows them, with p-values in one format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const data = fileURLToPath(new URL('../../../test/fixtures/survival/', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function r(code: string): any {
  const res = spawnSync('Rscript', ['-e', `suppressPackageStartupMessages({library(survival); library(jsonlite)}); ${code}`], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout);
}

function close(a: number[], b: number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) <= tol * Math.max(1, Math.abs(b[k])), `${what}[${k}]: ${x} vs R ${b[k]}`));
}

test("--ridge penalises as R's ridge(scale = TRUE) by default, and as scale = FALSE with --ridge-scale false", () => {
  const lung = `${data}lung.csv`;
  const ref = r(`d <- read.csv("${lung}"); d <- d[complete.cases(d[, c("age", "ph_ecog", "female")]), ];
    out <- lapply(c(TRUE, FALSE), function(s) { f <- coxph(Surv(time, status) ~ ridge(age, ph_ecog, female, theta = 2, scale = s), data = d);
      list(coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f))))) }); cat(toJSON(out, digits = NA))`);
  for (const [k, scale] of [[0, undefined], [0, 'true'], [1, 'false']] as const) {
    const args = ['cox', '--data', lung, '--time', 'time', '--event', 'status', '--covariates', 'age,ph_ecog,female', '--drop-missing', '--ridge', '2', '--json'];
    if (scale !== undefined) args.push('--ridge-scale', scale);
    const res = run(args);
    assert.equal(res.status, 0, res.stderr);
    const j = JSON.parse(res.stdout);
    close(j.coef, ref[k].coef, 1e-6, `coef scale=${scale}`);
    close(j.se, ref[k].se, 1e-5, `se scale=${scale}`);
  }
  const help = run(['cox', '--help']).stdout;
  assert.match(help, /ridge\(\.\.\., theta, scale = TRUE\)/);
  assert.match(help, /--ridge-scale true\|false .*\(default: true\)/);
});

test("km prints n, events and the median with R's 95% CI for each group; the log-rank p in the report's format", () => {
  const vet = `${data}veteran.csv`;
  const ref = r(`d <- read.csv("${vet}"); t <- summary(survfit(Surv(time, status) ~ trt, data = d))$table;
    a <- summary(survfit(Surv(time, status) ~ 1, data = d))$table; p <- survdiff(Surv(time, status) ~ trt, data = d)$pvalue;
    cat(toJSON(list(groups = unname(split(unname(t[, c("n.max", "events", "median", "0.95LCL", "0.95UCL")]), 1:2)), all = unname(a[c("n.max", "events", "median", "0.95LCL", "0.95UCL")]), p = p), digits = NA))`);
  const res = run(['km', '--data', vet, '--time', 'time', '--event', 'status', '--group', 'trt', '--times', '100']);
  assert.equal(res.status, 0, res.stderr);
  const line = (n: number[]) => `n = ${n[0]}, events = ${n[1]}, median ${n[2]} (95% CI ${n[3]} to ${n[4]})`;
  assert.ok(res.stdout.includes(`All: ${line(ref.all)}`), res.stdout);
  ref.groups.forEach((g: number[], k: number) => assert.ok(res.stdout.includes(`trt = ${k}: ${line(g)}`), `${res.stdout}\nwant ${line(g)}`));
  assert.match(res.stdout, new RegExp(`log-rank chi-square [0-9.]+ on 1 df, p = ${ref.p[0].toFixed(3)}\\n`));
  const json = JSON.parse(run(['km', '--data', vet, '--time', 'time', '--event', 'status', '--group', 'trt', '--json']).stdout);
  assert.deepEqual(json.groups['1'].median_ci95, [ref.groups[1][3], ref.groups[1][4]]);
  assert.equal(json.groups['0'].events, ref.groups[0][1]);
  const cox = run(['cox', '--data', vet, '--time', 'time', '--event', 'status', '--covariates', 'karno,trt']);
  assert.match(cox.stdout, /karno .* <0\.001\n/);
  assert.match(cox.stdout, /LR test [0-9.]+ on 2 df, p < 0\.001\n/);
});
