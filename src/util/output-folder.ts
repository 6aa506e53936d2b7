/**
 * Which folders a command may fill or replace. A command never removes a file it did not write, so an
 * output folder is accepted only when it is missing, empty, or spinesurv's own earlier output: such a
 * folder carries OUTPUT_MARKER, which lists every file the command wrote there. Replacing an earlier
 * output needs `--force`, and even then is refused when the folder holds anything the marker does not
 * list (a user's notes dropped into a model folder are never deleted).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from './errors.js';

export const OUTPUT_MARKER = '.spinesurv-output.json';

export interface OutputMarker {
  created_by: string;
  /** Every file written, relative to the folder, '/'-separated, the marker itself excluded. */
  files: string[];
}

export interface OutputFolderOptions {
  /** Replace the folder when it is this tool's own earlier output. */
  force?: boolean;
  /** What writes it, e.g. "spinesurv cox"; recorded in the marker and named in messages. */
  createdBy?: string;
}

/**
 * Every file below `dir`, relative and '/'-separated, in sorted order. Folders are walked, not listed,
 * except an empty one, listed with a trailing '/' so that a user's empty folder counts as theirs too.
 * A symbolic link is listed as itself and never followed.
 */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.length === 0 && d !== dir) out.push(relative(dir, d).split(sep).join('/') + '/');
    for (const entry of entries) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

export function readOutputMarker(dir: string): OutputMarker | null {
  const file = join(dir, OUTPUT_MARKER);
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as OutputMarker | null;
    // Anything else under that name is not a marker spinesurv wrote: the folder is then the user's.
    const valid = m !== null && typeof m.created_by === 'string' && Array.isArray(m.files) && m.files.every((f) => typeof f === 'string');
    return valid ? m : null;
  } catch {
    return null;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Throws InputError (exit 2) unless `dir` may be written: missing, an empty folder, or (with force) a
 * folder that holds only what an earlier spinesurv command wrote there. Call it before long work, so
 * a refusal comes at once; writeDirAtomic calls it again just before the rename.
 * Returns whether an existing folder will be replaced.
 */
export function checkOutputFolder(dir: string, options: OutputFolderOptions = {}): 'new' | 'empty' | 'replace' {
  const st = statOrNull(dir);
  if (st === null) return 'new';
  if (!st.isDirectory()) throw new InputError(`${dir}: exists and is not a folder; choose a folder name for the output`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return 'empty';
  if (resolve(dir) === resolve('.') || resolve(dir) === resolve('/')) {
    throw new InputError(`${dir}: is the current or root folder and not empty; name a new folder for the output`);
  }
  const marker = readOutputMarker(dir);
  if (marker === null) {
    throw new InputError(
      `${dir}: is not empty and was not written by spinesurv; nothing there is replaced. Choose a new or empty folder`,
    );
  }
  // --force replaces only the same command's output: a cohort from `synth` is never replaced by `study`.
  if (options.createdBy !== undefined && marker.created_by !== options.createdBy) {
    throw new InputError(
      `${dir}: holds the output of ${marker.created_by}, not of ${options.createdBy}; nothing there is replaced. Choose a new or empty folder`,
    );
  }
  if (!options.force) {
    throw new InputError(
      `${dir}: holds an earlier output of ${marker.created_by}; pass --force to replace it, or choose another folder`,
    );
  }
  const ours = new Set([...marker.files, OUTPUT_MARKER]);
  const foreign = listFiles(dir).filter((f) => !ours.has(f));
  if (foreign.length > 0) {
    const more = foreign.length > 1 ? ` and ${foreign.length - 1} more` : '';
    throw new InputError(
      `${dir}: holds ${foreign[0]}${more}, not written by spinesurv; move ${foreign.length > 1 ? 'them' : 'it'} away before replacing this folder`,
    );
  }
  return 'replace';
}

/** The path with every link resolved as far as it exists (a missing tail is kept as given). */
function canonical(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      const parent = resolve(head, '..');
      if (parent === head) return resolve(path);
      tail.unshift(relative(parent, head));
      head = parent;
    }
  }
}

/**
 * Throws InputError when writing `output` would write over one of `inputs`: the same file (links and
 * `./` spellings resolved), or a folder that holds an input (an output folder is replaced whole).
 */
export function refuseOverwritingInput(output: string, inputs: Array<string | undefined>, what = 'output'): void {
  const out = canonical(output);
  for (const input of inputs) {
    if (input === undefined) continue;
    const inp = canonical(input);
    if (inp === out) throw new InputError(`${output}: is also an input of this command (${input}); choose another ${what} path`);
    if (inp.startsWith(out.endsWith(sep) ? out : out + sep)) {
      throw new InputError(`${output}: holds ${input}, an input of this command; choose another ${what} path`);
    }
  }
}
