/**
 * The radiographs to score: every file below a folder (sorted, hidden files skipped), or the paths in a
 * list file, one a line (blank lines and lines starting with # skipped; relative paths are taken from
 * the current folder, as `landmarks predict --list` does). Paths are kept as given: they name the
 * rows of results.csv.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';

export function imagesInFolder(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError(`${dir}: no such folder`);
  }
  if (!st.isDirectory()) throw new InputError(`${dir}: is not a folder (use --list for a list of files)`);
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  if (out.length === 0) throw new InputError(`${dir}: holds no files to score`);
  return out;
}

export function imagesInList(listFile: string): string[] {
  let text: string;
  try {
    text = readFileSync(listFile, 'utf8');
  } catch (error) {
    throw new InputError(`${listFile}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const out = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (out.length === 0) throw new InputError(`${listFile}: lists no files`);
  return out;
}
