/**
 * What was asked for: each input file with its content hash, and the distinct images among them (two
 * paths to the same bytes are one image, scored once). A file that cannot be read is kept, without a
 * hash, so that results.csv still has its row and says why.
 */
import { sha256File } from './hash-file.js';

export interface Submission {
  file: string;
  sha256: string | null;
  /** Why it could not be hashed. */
  error: string | null;
}

export async function hashSubmissions(files: string[], onProgress?: (done: number) => void): Promise<Submission[]> {
  const out: Submission[] = [];
  for (const file of files) {
    try {
      out.push({ file, sha256: await sha256File(file), error: null });
    } catch (error) {
      out.push({ file, sha256: null, error: (error as Error).message });
    }
    onProgress?.(out.length);
  }
  return out;
}

/** Distinct images, each under the first path it was submitted as, in input order. */
export function distinctImages(submissions: Submission[]): Array<{ file: string; sha256: string }> {
  const seen = new Set<string>();
  const out: Array<{ file: string; sha256: string }> = [];
  for (const s of submissions) {
    if (s.sha256 === null || seen.has(s.sha256)) continue;
    seen.add(s.sha256);
    out.push({ file: s.file, sha256: s.sha256 });
  }
  return out;
}
