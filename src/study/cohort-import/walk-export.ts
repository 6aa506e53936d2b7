/**
 * Every file of a PACS export, however deep its folders: exports nest patient / study / series
 * folders, name files without extensions (IM000001) and add index files (DICOMDIR) and viewer
 * leftovers. Symbolic links to folders are not followed (an export that links back into itself would
 * otherwise never end); a link to a file is a file. Sorted, so that every run sees the same order.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError } from '../../util/errors.js';

export interface ExportFile {
  /** Path as the file system takes it. */
  path: string;
  /** Relative to the export folder, '/'-separated: the name the report gives. */
  name: string;
}

export function walkExport(dir: string): ExportFile[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new InputError(`${dir}: the DICOM folder cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!isDir) throw new InputError(`${dir}: is not a folder; --dicom names the folder of a PACS export`);
  const out: ExportFile[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && isFile(path))) out.push({ path, name: relative(dir, path).split(sep).join('/') });
    }
  };
  walk(dir);
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // a broken link: nothing to read
  }
}
