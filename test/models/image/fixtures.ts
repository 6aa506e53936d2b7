/** Shared helpers for the image-model tests: a small synthetic cohort and its interim patch variant. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeInterimPatchVariant } from '../../../src/models/image/interim-variant.js';
import { DEFAULT_PATCH_PARAMETERS } from '../../../src/models/image/interim-patches.js';

export const cli = fileURLToPath(new URL('../../../../bin/spinesurv.js', import.meta.url));

export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** DIR/cohort (synth, 256 px) and DIR/patches (32 px interim patches around the true keypoints). */
export async function smallCohort(patients = 60, seed = 3): Promise<{ dir: string; cohort: string; patches: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-image-'));
  const cohort = join(dir, 'cohort');
  const r = runCli(['synth', '--out', cohort, '--patients', String(patients), '--size', '256', '--seed', String(seed)]);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  const patches = join(dir, 'patches');
  await makeInterimPatchVariant({ cohortDir: cohort, keypoints: join(cohort, 'keypoints.json'), out: patches, params: { ...DEFAULT_PATCH_PARAMETERS, size: 32 } });
  return { dir, cohort, patches };
}

/** Options for a fast `imagesurv fit` on the small cohort. */
export const FAST_FIT = ['--input-size', '32', '--width', '4', '--batch-size', '16', '--validation', '0.3', '--head-width', '8'];
