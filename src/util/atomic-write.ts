/**
 * Outputs are written to a temporary name beside the target and renamed into place, so that a crash
 * never leaves a half-written file (or folder) where a finished one is expected. Folders follow the
 * ownership rule of output-folder.ts: only a missing, empty or spinesurv-written folder is replaced.
 */
import { mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InputError } from './errors.js';
import { checkOutputFolder, listFiles, OUTPUT_MARKER, type OutputFolderOptions, type OutputMarker } from './output-folder.js';

function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

/** fs errors on the output path as one-line input errors naming the path the user gave (never the temporary name). */
function describeWriteError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reasons: Record<string, string> = {
    EISDIR: 'is a folder; name a file for the output',
    ENOTDIR: 'a part of this path is a file, not a folder',
    EACCES: 'cannot be written here (permission denied)',
    EPERM: 'cannot be written here (operation not permitted)',
    EROFS: 'is on a read-only file system',
    EBUSY: 'is busy or a mount point; choose another name',
    ENOSPC: 'no space left on the device',
    ENOTEMPTY: 'a folder of that name exists and is not empty',
    EEXIST: 'a folder of that name exists',
  };
  return code && reasons[code] ? new InputError(`${path}: ${reasons[code]}`) : error;
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
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
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
    mkdirSync(tmp, { recursive: true });
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
      renameSync(tmp, path);
      // Everything in `old` is listed in its marker (checked above): ours to remove.
      rmSync(old, { recursive: true, force: true });
    } else {
      if (state === 'empty') rmdirSync(path);
      renameSync(tmp, path);
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw describeWriteError(path, error);
  }
}
