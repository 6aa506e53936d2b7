/**
 * `--pick FILE.csv` (columns id, file): the user's own choice of radiograph for some patients, over
 * the import's rule, e.g. for a patient whose only lateral views could not be told from the header.
 * `file` is relative to the DICOM folder (as import-report.csv writes it) or absolute. Each line must
 * name a patient of the clinical file and a radiograph of the export the import can read; anything
 * else is refused naming the line and column.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../../util/errors.js';
import { readCsv } from '../../util/csv.js';

export interface Pick {
  /** The report's name of the file: relative to the export folder, '/'-separated. */
  file: string;
  line: number;
}

export function readPickFile(path: string, dicomDir: string, knownIds: ReadonlySet<string>): Map<string, Pick> {
  const table = readCsv(path);
  for (const column of ['id', 'file']) {
    if (!table.has(column)) throw new InputError(`${path}: line 1: no column "${column}" (a pick file has the columns id and file)`);
  }
  const ids = table.strings('id');
  const files = table.strings('file');
  const picks = new Map<string, Pick>();
  for (let i = 0; i < table.length; i++) {
    const line = table.lineOfRow(i);
    const id = ids[i].trim();
    if (!knownIds.has(id)) throw new InputError(`${path}: line ${line}, column "id": no row of the clinical file has this id`);
    if (picks.has(id)) throw new InputError(`${path}: line ${line}, column "id": the same id as line ${picks.get(id)!.line}`);
    const file = files[i].trim();
    if (file === '') throw new InputError(`${path}: line ${line}, column "file": missing file`);
    const inside = relative(resolve(dicomDir), resolve(dicomDir, file));
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new InputError(`${path}: line ${line}, column "file": not a file of the DICOM folder ${dicomDir}`);
    }
    picks.set(id, { file: inside.split(sep).join('/'), line });
  }
  return picks;
}
