/**
 * Runs R (Rscript, with the survival and jsonlite packages) as the independent reference for values
 * computed at test time from data the test makes. The R code reads its inputs from `args` (R's
 * commandArgs(trailingOnly = TRUE)) and hands back one value with emit(x) (jsonlite::toJSON, digits = NA).
 * R is part of the test set-up (scripts/setup.sh installs r-cran-survival and r-cran-jsonlite); a
 * missing R fails the test that needs it instead of skipping it.
 */
import { spawnSync } from 'node:child_process';
import type { Json } from './fixtures.js';

export function rscript(code: string, args: string[] = []): Json {
  const prelude = 'suppressPackageStartupMessages({ library(survival); library(jsonlite) }); ' +
    'args <- commandArgs(trailingOnly = TRUE); emit <- function(x) cat(toJSON(x, digits = NA, auto_unbox = TRUE))';
  const r = spawnSync('Rscript', ['--vanilla', '-e', prelude, '-e', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`Rscript could not run (${r.error.message}); install r-cran-survival and r-cran-jsonlite (scripts/setup.sh)`);
  if (r.status !== 0) throw new Error(`Rscript exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
