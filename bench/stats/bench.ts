/**
 * Benchmark: Harrell's C (with its IJ SE) and a one-covariate Cox fit on n = 1,000,000 rows, timed
 * against R's survival::concordance and survival::coxph on the same data in the same run when Rscript
 * is on PATH. Prints wall-clock (best of runs) and CPU time for both, the ratio, and checks that the
 * answers agree.
 *
 * Then `spinesurv concordance` end to end on the same rows written as a CSV (file to answer).
 *
 *   npm run bench:stats [-- --n 1000000 --runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coxph, harrellC } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = arg('n', 1_000_000);
const runs = arg('runs', 3);

/** Proportional-hazards data with integer-day times (so ties occur, as in real follow-up). */
function makeData(size: number) {
  const r = new Random(20261128);
  const x = new Float64Array(size);
  const time = new Float64Array(size);
  const event = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    x[i] = r.normal();
    const t = r.exponential(0.2 * Math.exp(0.5 * x[i]));
    const c = r.exponential(0.1);
    time[i] = Math.max(1, Math.ceil(Math.min(t, c) * 365));
    event[i] = t <= c ? 1 : 0;
  }
  return { x, time, event };
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timeIt<T>(f: () => T): { value: T; timing: Timing } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, timing: { wallMs, cpuMs: (c.user + c.system) / 1000 } };
}

function best(ts: Timing[]): Timing {
  return ts.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

const R_SCRIPT = `
suppressPackageStartupMessages(library(survival))
args <- commandArgs(TRUE); dir <- args[1]; n <- as.integer(args[2]); runs <- as.integer(args[3])
rd <- function(f) readBin(file.path(dir, f), "double", n)
d <- data.frame(time = rd("time.bin"), event = rd("event.bin"), x = rd("x.bin"))
tm <- function(expr) { g <- gc(FALSE); t <- proc.time(); v <- eval.parent(substitute(expr)); e <- proc.time() - t; list(v = v, wall = 1000 * e[["elapsed"]], cpu = 1000 * (e[["user.self"]] + e[["sys.self"]])) }
hb <- NULL; cb <- NULL
for (i in seq_len(runs)) {
  h <- tm(concordance(Surv(time, event) ~ x, data = d, reverse = TRUE))
  if (is.null(hb) || h$wall < hb$wall) hb <- h
  f <- tm(coxph(Surv(time, event) ~ x, data = d))
  if (is.null(cb) || f$wall < cb$wall) cb <- f
}
cat(sprintf("%.17g %.17g %.3f %.3f %.17g %.3f %.3f %d\\n", hb$v$concordance, sqrt(hb$v$var), hb$wall, hb$cpu, coef(cb$v), cb$wall, cb$cpu, cb$v$iter))
`;

function runR(data: { x: Float64Array; time: Float64Array; event: Float64Array }) {
  const probe = spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages(library(survival)); cat("ok")'], { encoding: 'utf8' });
  if (probe.status !== 0 || !probe.stdout.includes('ok')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-bench-'));
  try {
    const bytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(join(dir, 'time.bin'), bytes(data.time));
    writeFileSync(join(dir, 'event.bin'), bytes(data.event));
    writeFileSync(join(dir, 'x.bin'), bytes(data.x));
    writeFileSync(join(dir, 'bench.R'), R_SCRIPT);
    const r = spawnSync('Rscript', [join(dir, 'bench.R'), dir, String(n), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`Rscript failed: ${r.stderr}`);
    const [c, se, hWall, hCpu, coef, cWall, cCpu, iter] = r.stdout.trim().split(/\s+/).map(Number);
    return { c, se, harrell: { wallMs: hWall, cpuMs: hCpu }, coef, cox: { wallMs: cWall, cpuMs: cCpu }, iter };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `spinesurv concordance` from file to answer: the same rows as a CSV (time,event,x), the CLI run as a
 * user runs it (Harrell's and Uno's C with SEs), best of `runs`, wall and CPU time and peak memory of
 * the child process from /usr/bin/time. Targets: under 1.5 s and under 300 MB for 10^6 rows.
 */
function endToEnd(d: { x: Float64Array; time: Float64Array; event: Float64Array }): string {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-bench-cli-'));
  try {
    const csv = join(dir, 'data.csv');
    const lines = ['time,event,x'];
    for (let i = 0; i < d.x.length; i++) lines.push(`${d.time[i]},${d.event[i]},${d.x[i]}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'spinesurv.js');
    const args = [bin, 'concordance', '--data', csv, '--time', 'time', '--event', 'event', '--score', 'x', '--json'];
    let bestRun: { wall: number; cpu: number; kb: number } | null = null;
    for (let k = 0; k < runs; k++) {
      const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...args], { encoding: 'utf8' });
      if (r.error || r.status !== 0) return `spinesurv concordance (CLI): could not run under /usr/bin/time (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`;
      const [wall, user, sys, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      if (bestRun === null || wall < bestRun.wall) bestRun = { wall, cpu: user + sys, kb };
    }
    const b = bestRun!;
    const mb = b.kb / 1024;
    return (
      `spinesurv concordance CLI ${b.wall.toFixed(3)} s wall, ${b.cpu.toFixed(3)} s CPU, ${mb.toFixed(0)} MB peak   file to answer, ${(statSync(csv).size / 1e6).toFixed(1)} MB CSV, Harrell + Uno\n` +
      `targets: CLI end to end < 1.5 s: ${b.wall < 1.5 ? 'met' : 'NOT met'} (wall), ${b.cpu < 1.5 ? 'met' : 'NOT met'} (CPU); < 300 MB: ${mb < 300 ? 'met' : 'NOT met'}`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const data = makeData(n);
let events = 0;
for (const e of data.event) events += e;
console.log(`bench:stats  n = ${n}, events = ${events}, distinct times = ${new Set(data.time).size}, runs = ${runs} (best wall time reported)`);

const hTimes: Timing[] = [];
const cTimes: Timing[] = [];
let h = harrellC(data.time, data.event, data.x);
let fit = coxph({ time: data.time, event: data.event, covariates: [data.x] });
for (let i = 0; i < runs; i++) {
  const a = timeIt(() => harrellC(data.time, data.event, data.x));
  h = a.value;
  hTimes.push(a.timing);
  const b = timeIt(() => coxph({ time: data.time, event: data.event, covariates: [data.x] }));
  fit = b.value;
  cTimes.push(b.timing);
}
const hb = best(hTimes);
const cb = best(cTimes);
const fmt = (t: Timing) => `${(t.wallMs / 1000).toFixed(3)} s wall, ${(t.cpuMs / 1000).toFixed(3)} s CPU`;
console.log(`spinesurv harrellC        ${fmt(hb)}   C = ${h.c.toFixed(12)}, se = ${h.se.toExponential(6)}`);
console.log(`spinesurv coxph (+C)      ${fmt(cb)}   coef = ${fit.coef[0].toFixed(12)}, iterations = ${fit.iterations}`);
const r = runR(data);
if (r === null) {
  console.log('Rscript with survival not found: R timings skipped.');
} else {
  console.log(`R concordance             ${fmt(r.harrell)}   C = ${r.c.toFixed(12)}, se = ${r.se.toExponential(6)}`);
  console.log(`R coxph                   ${fmt(r.cox)}   coef = ${r.coef.toFixed(12)}, iterations = ${r.iter}`);
  console.log(`ratio spinesurv / R: Harrell's C ${(hb.wallMs / r.harrell.wallMs).toFixed(2)} (wall), ${(hb.cpuMs / r.harrell.cpuMs).toFixed(2)} (CPU); coxph ${(cb.wallMs / r.cox.wallMs).toFixed(2)} (wall), ${(cb.cpuMs / r.cox.cpuMs).toFixed(2)} (CPU)`);
  console.log(`agreement: |C - C_R| = ${Math.abs(h.c - r.c).toExponential(2)}, |se - se_R| = ${Math.abs(h.se - r.se).toExponential(2)}, |coef - coef_R| / |coef_R| = ${(Math.abs(fit.coef[0] - r.coef) / Math.abs(r.coef)).toExponential(2)}`);
}
const cli = endToEnd(data);
console.log(cli);
console.log(`targets: Harrell's C < 1 s: ${hb.wallMs < 1000 ? 'met' : 'NOT met'} (wall)${r ? `; coxph no slower than R: ${cb.wallMs <= r.cox.wallMs ? 'met' : 'NOT met'} (wall)` : ''}`);
