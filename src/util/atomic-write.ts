/**
 * Outputs are written to a temporary name beside the target and renamed into place, so that a crash
 * never leaves a half-written file (or folder) where a finished one is expected. Folders follow the
 * ownership rule of output-folder.ts: only a missing, empty or spinesurv-written folder is replaced.
 */
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { InputError } from './errors.js';
import { checkOutputFolder, listFiles, OUTPUT_MARKER, type OutputFolderOptions, type OutputMarker } from './output-folder.js';

function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

const WRITE_REASONS: Record<string, string> = {
  EISDIR: 'is a folder; name a file for the output',
  ENOTDIR: 'a part of this path is a file, not a folder',
  ENOENT: 'cannot be created here (a part of the path does not exist or does not take new files)',
  EACCES: 'cannot be written here (permission denied)',
  EPERM: 'cannot be written here (operation not permitted)',
  EROFS: 'is on a read-only file system',
  EBUSY: 'is busy or a mount point; choose another name',
  EXDEV: 'cannot be moved into place across file systems; choose a path on one file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EINVAL: 'is not a valid place for a file',
  ENOTEMPTY: 'a folder of that name exists and is not empty',
  EEXIST: 'a folder of that name exists',
  EMFILE: 'too many open files',
};

/**
 * A file-system error while writing `path` as one line naming the path the user gave, never the
 * temporary name (exit 2: the place is at fault, not the tool). Errors without an errno code pass on.
 */
export function describeWriteError(path: string, error: unknown): unknown {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  return new InputError(`${path}: ${WRITE_REASONS[code] ?? `cannot be written (${code})`}`);
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's own `mkdirSync(p, { recursive: true })`
 * never returns for a path under /proc (it retries the parent forever), so it is not used here.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.unshift(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing) mkdirSync(m);
}

/** Removes a temporary file or folder of ours; one that cannot even be looked up was never made. */
function removeQuietly(tmp: string): void {
  try {
    rmSync(tmp, { recursive: true, force: true });
  } catch {
    // ENOTDIR and the like: nothing was created there
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // missing: fine
  }
  if (isDir) throw new InputError(`${path}: is a folder; name a file for the output`);
  const tmp = temporaryName(path);
  try {
    makeFolders(dirname(path));
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    removeQuietly(tmp);
    throw describeWriteError(path, error);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Builds a whole folder under a temporary name, then renames it to `path`, with a marker listing every
 * file written. An existing folder at `path` is replaced only after the new one is complete, and only
 * when checkOutputFolder allows it (empty, or this tool's own earlier output with `force`).
 */
export async function writeDirAtomic(
  path: string,
  fill: (tmpDir: string) => Promise<void> | void,
  options: OutputFolderOptions = {},
): Promise<void> {
  checkOutputFolder(path, options);
  const tmp = temporaryName(path);
  try {
    makeFolders(dirname(tmp));
    mkdirSync(tmp);
  } catch (error) {
    throw describeWriteError(path, error);
  }
  try {
    await fill(tmp);
    const marker: OutputMarker = {
      created_by: options.createdBy ?? 'spinesurv',
      files: listFiles(tmp).filter((f) => f !== OUTPUT_MARKER),
    };
    writeFileSync(join(tmp, OUTPUT_MARKER), JSON.stringify(marker, null, 2) + '\n');
    const state = checkOutputFolder(path, options);
    if (state === 'replace') {
      const old = temporaryName(path) + '-old';
      renameSync(path, old);
      try {
        renameSync(tmp, path);
      } catch (error) {
        renameSync(old, path); // put the earlier output back as it was
        throw error;
      }
      // Everything in `old` is listed in its marker (checked above): ours to remove.
      rmSync(old, { recursive: true, force: true });
    } else {
      if (state === 'empty') rmdirSync(path);
      renameSync(tmp, path);
    }
  } catch (error) {
    removeQuietly(tmp);
    // An fs error on a path outside the output (an input the fill step read) keeps its own message.
    const failed = (error as NodeJS.ErrnoException | null)?.path;
    const ours = failed === undefined || resolve(failed) === resolve(path) || resolve(failed).startsWith(resolve(tmp));
    throw ours ? describeWriteError(path, error) : error;
  }
}
