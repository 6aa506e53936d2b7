// A tiny synthetic cohort (64 px images) made once per test file with `spinesurv synth`.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

export function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

/** A temp folder holding `cohort/` (patients at size px); the caller removes the folder. */
export function tinyCohort(patients = 24, size = 64, seed = 3): { dir: string; cohort: string } {
  const dir = mkdtempSync(join(tmpdir(), 'landmarks-test-'));
  const cohort = join(dir, 'cohort');
  const r = cli(['synth', '--out', cohort, '--patients', String(patients), '--size', String(size), '--seed', String(seed), '--workers', '0']);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  return { dir, cohort };
}
