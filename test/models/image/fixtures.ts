/** Shared helpers for the image-model tests: a small synthetic cohort, its patch variant, a tiny keypoint detector. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../../../bin/spinesurv.js', import.meta.url));

export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Patch side of the test variant (and FAST_FIT's input size). */
export const PATCH_PX = 32;

/**
 * DIR/cohort (synth, 256 px) and DIR/patches: the patch variant written by `spinesurv preprocess`
 * from the cohort's annotated keypoints, 32 px patches.
 */
export async function smallCohort(patients = 60, seed = 3): Promise<{ dir: string; cohort: string; patches: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-image-'));
  const cohort = join(dir, 'cohort');
  const r = runCli(['synth', '--out', cohort, '--patients', String(patients), '--size', '256', '--seed', String(seed)]);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  const patches = join(dir, 'patches');
  const p = runCli(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'patches', '--size', String(PATCH_PX), '--out', patches, '--workers', '0']);
  if (p.status !== 0) throw new Error(`preprocess failed: ${p.stderr}`);
  return { dir, cohort, patches };
}

/**
 * A tiny keypoint detector trained on the cohort's training split (64 px input, 15 epochs: about
 * 6 s of CPU). Good enough that most of the 256 px test radiographs come out unflagged.
 */
export function tinyDetector(cohort: string, out: string): string {
  const r = runCli(['landmarks', 'train', '--cohort', cohort, '--out', out, '--size', '64', '--epochs', '15', '--threads', '1', '--seed', '1']);
  if (r.status !== 0) throw new Error(`landmarks train failed: ${r.stderr}`);
  return out;
}

/** Options for a fast `imagesurv fit` on the small cohort. */
export const FAST_FIT = ['--ensemble', '1', '--input-size', String(PATCH_PX), '--width', '4', '--batch-size', '16', '--validation', '0.3', '--head-width', '8'];

/**
 * A copy of an image model folder whose keypoint detector has every weight zeroed: its heatmaps are
 * the same constant everywhere, so it flags every radiograph (all five points at one place) on any
 * CPU, which a trained detector's borderline cases do not promise. Returns the copy's folder and its
 * detector's.
 */
export function blindDetectorModel(model: string, out: string): { model: string; detector: string } {
  cpSync(model, out, { recursive: true });
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { keypoint_model: { folder: string } | null };
  if (json.keypoint_model === null) throw new Error(`${model} has no keypoint detector to blind`);
  const detector = join(out, json.keypoint_model.folder);
  const weights = join(detector, 'weights.safetensors');
  const bytes = readFileSync(weights);
  // safetensors: an 8-byte little-endian header length, the JSON header, then the raw tensor data.
  const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
  bytes.fill(0, dataStart);
  writeFileSync(weights, bytes);
  return { model: out, detector };
}
