/**
 * The study's manifest (SYSTEM.md: tool version, inputs and their hashes, parameters, seed), so that a
 * result can be traced to the exact files it came from and run again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface InputRecord {
  role: string;
  file: string;
  bytes: number;
  sha256: string;
}

export function hashFile(path: string, role: string): InputRecord {
  const data = readFileSync(path);
  return { role, file: basename(path), bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

export function hashIfPresent(path: string | undefined, role: string): InputRecord[] {
  return path !== undefined && existsSync(path) ? [hashFile(path, role)] : [];
}
