/**
 * Reuse of unchanged stages between study runs, as `spinesurv demo` reuses its cohort. Each stage
 * (keypoint detector, predicted keypoints, preprocessed variants, variant comparison, image models)
 * writes its folder OUT/stages/<name>/ with a stage.json holding a key: the SHA-256 of everything
 * its output depends on (tool version, the compiled code's fingerprint (code-fingerprint.ts), stage
 * parameters, seed, the hashes of its input files and the keys of the stages it reads). A new run builds OUT afresh under a temporary name; a stage whose key
 * matches the previous OUT's is hard-linked (or copied) from there instead of being run again, so a
 * changed setting reruns exactly the stages downstream of it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeFingerprint } from './code-fingerprint.js';

export const STAGE_FILE = 'stage.json';

export interface StageRecord {
  stage: string;
  key: string;
  /** What went into the key, for a reader who wonders why a stage ran again. */
  inputs: Record<string, unknown>;
}

/** A stable key of plain JSON data: objects are hashed with sorted keys. */
export function stageKey(inputs: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(inputs))).digest('hex');
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readRecord(dir: string): StageRecord | null {
  try {
    return JSON.parse(readFileSync(join(dir, STAGE_FILE), 'utf8')) as StageRecord;
  } catch {
    return null;
  }
}

/** Hard links where the file system allows (same device), copies otherwise. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const a = join(from, name);
    const b = join(to, name);
    if (statSync(a).isDirectory()) linkTree(a, b);
    else {
      try {
        linkSync(a, b);
      } catch {
        copyFileSync(a, b);
      }
    }
  }
}

export interface StageOutcome {
  dir: string;
  reused: boolean;
  key: string;
}

/**
 * Fills `<newOut>/stages/<stage>` either from `<previousOut>/stages/<stage>` (same key) or by
 * `run(dir)`. A stage that throws leaves no folder behind. `previousOut` may be absent.
 */
export async function runStage(
  stage: string,
  inputs: Record<string, unknown>,
  places: { previousOut: string | null; newOut: string },
  run: (dir: string) => Promise<void> | void,
): Promise<StageOutcome> {
  const all = { code: codeFingerprint(), ...inputs };
  const key = stageKey({ stage, ...all });
  const dir = join(places.newOut, 'stages', stage);
  if (places.previousOut !== null) {
    const old = join(places.previousOut, 'stages', stage);
    if (existsSync(old) && readRecord(old)?.key === key) {
      linkTree(old, dir);
      return { dir, reused: true, key };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    await run(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // Written last: a folder without stage.json is never reused.
  const record: StageRecord = { stage, key, inputs: all };
  writeFileSync(join(dir, STAGE_FILE), JSON.stringify(record, null, 2) + '\n');
  return { dir, reused: false, key };
}
