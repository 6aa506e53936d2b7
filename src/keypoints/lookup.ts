/**
 * Finding a radiograph's entry by the image path a cohort (or a command line) gives. The file's
 * file_name and the path are compared through normaliseImagePath, the one rule; failing that, both are
 * made absolute (the file_name against the folder it is relative to, or the working directory), since a
 * results list made with `landmarks predict --images` names files as they were given.
 */
import { resolve } from 'node:path';
import type { KeypointEntry } from './entry.js';
import { normaliseImagePath } from './image-path.js';

export interface ImageLookup {
  /** Every entry that names `image` (relative to `baseDir`, or absolute), in file order. */
  entriesFor(image: string, baseDir: string): KeypointEntry[];
}

export function imageLookup(entries: KeypointEntry[]): ImageLookup {
  const byName = groupBy(entries, (e) => [normaliseImagePath(e.fileName)]);
  let byAbsolutePath: Map<string, KeypointEntry[]> | null = null;
  let absoluteFor = '';
  return {
    entriesFor(image, baseDir) {
      const direct = byName.get(normaliseImagePath(image));
      if (direct !== undefined) return direct;
      if (byAbsolutePath === null || absoluteFor !== baseDir) {
        absoluteFor = baseDir;
        byAbsolutePath = groupBy(entries, (e) => {
          const name = normaliseImagePath(e.fileName);
          return [...new Set([resolve(name), resolve(baseDir, name)])];
        });
      }
      return byAbsolutePath.get(resolve(baseDir, normaliseImagePath(image))) ?? [];
    },
  };
}

/** Entries by each of their keys; entries without a file name (a results list may omit it) are left out. */
function groupBy(entries: KeypointEntry[], keys: (e: KeypointEntry) => string[]): Map<string, KeypointEntry[]> {
  const out = new Map<string, KeypointEntry[]>();
  for (const e of entries) {
    if (e.fileName === '') continue;
    for (const key of keys(e)) out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}
