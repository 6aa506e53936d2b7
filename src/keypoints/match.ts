/**
 * Checking a keypoints file against the images it is meant for. A file_name that names no image is
 * almost always a path written another way (another folder prefix, a tool's renamed upload), and
 * silently ignoring it would train on fewer annotations than the researcher made; so it is an error
 * that lists the names.
 */
import { InputError } from '../util/errors.js';
import type { KeypointEntry } from './entry.js';
import type { KeypointsFile } from './read.js';

/** The entries of `file` that name none of `images` (relative to `baseDir`, or absolute). */
export function unmatchedEntries(file: KeypointsFile, images: Iterable<string>, baseDir: string): KeypointEntry[] {
  const matched = new Set<KeypointEntry>();
  for (const image of images) for (const e of file.entriesFor(image, baseDir)) matched.add(e);
  return file.entries.filter((e) => !matched.has(e));
}

/** Throws an InputError listing (the first 20 of) the entries that name none of `images`. */
export function requireEveryEntryMatched(file: KeypointsFile, images: Iterable<string>, baseDir: string, imagesAre: string): void {
  const unmatched = unmatchedEntries(file, images, baseDir);
  if (unmatched.length === 0) return;
  const shown = unmatched.slice(0, 20).map((e) => `${e.where} "${e.fileName}"`);
  const more = unmatched.length > shown.length ? `, ... and ${unmatched.length - shown.length} more` : '';
  throw new InputError(
    `${file.path}: ${unmatched.length} of ${file.entries.length} file_name values name no image of ${imagesAre}: ${shown.join(', ')}${more} ` +
      '(file_name is compared with the image column as written, after turning \\ into / and dropping a leading ./; case counts)',
  );
}
