/**
 * A fingerprint of the compiled code a study's stages run: the SHA-256 over the names and bytes of
 * every .js file under dist/src, except the faces that never shape a stage's output (the CLI, the
 * server, the queue, the report, the synthetic-cohort generator). It is part of every stage key
 * (stage-cache.ts), so that a study re-run after the code changed (a new release, a fix to the keypoint
 * decoding) never reuses a stage the old code made: the package version alone does not change with it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Top-level folders of dist/src whose code cannot change what a stage writes. */
const FACES = new Set(['cli', 'serve', 'queue', 'report', 'synth']);

let memo: string | null = null;

function jsFiles(dir: string, rel: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (rel === '' && FACES.has(entry.name)) continue;
      jsFiles(path, name, out);
    } else if (entry.name.endsWith('.js')) out.push(name);
  }
}

/** Computed once per process (about 2 MB of files read). */
export function codeFingerprint(): string {
  if (memo !== null) return memo;
  // dist/src/study/code-fingerprint.js -> dist/src.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files: string[] = [];
  jsFiles(root, '', files);
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  memo = hash.digest('hex').slice(0, 16);
  return memo;
}
