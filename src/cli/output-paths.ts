/**
 * The checks every command makes on its output paths before any long work, so that a refusal comes at
 * once (exit 2) rather than after the fit: an output never replaces one of the command's inputs, a
 * folder follows the ownership rule of output-folder.ts, and a file's path must not be a folder.
 */
import { statSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { checkOutputFolder, refuseOverwritingInput } from '../util/output-folder.js';

/** For `--out DIR`: refuses an input inside DIR, and DIR unless missing, empty or (with force) the same command's earlier output. */
export function checkOutputFolderArg(dir: string, options: { force: boolean; createdBy: string; inputs: Array<string | undefined> }): void {
  refuseOverwritingInput(dir, options.inputs, 'output folder');
  checkOutputFolder(dir, { force: options.force, createdBy: options.createdBy });
}

/** For an output file: refuses one of the inputs, a folder, and `.`-like names. */
export function checkOutputFileArg(file: string, inputs: Array<string | undefined>): void {
  refuseOverwritingInput(file, inputs, 'output file');
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    // missing, or not reachable: writeFileAtomic reports it by name
  }
  if (isDir || file.endsWith('/')) throw new InputError(`${file}: is a folder; name a file for the output`);
}
