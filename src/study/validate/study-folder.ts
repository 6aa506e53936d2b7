/**
 * Reads a finished study folder (OUT of `spinesurv study`) for `spinesurv validate`: its results.json,
 * the model folders its model entries name, and its test-split predictions (the development site's
 * C-index, to set the new site's against). A folder this version cannot use is refused by name before
 * anything is scored: not a study, written by another version, or missing a model folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../../util/csv.js';
import { InputError } from '../../util/errors.js';
import type { ModelResult, StudyResults, Subgroup } from '../../report/results.js';
import { STUDY_WRITER } from '../run.js';

export interface StudyFolder {
  dir: string;
  results: StudyResults;
  /** The study's model entries, in its order. */
  models: ModelResult[];
  /** OUT/models/<key>, or null for FRAX (nothing was fitted). */
  modelDir(key: string): string | null;
  /** The development site's test rows: time, event and each model's score by key. */
  development(subgroup: Subgroup): { time: Float64Array; event: Uint8Array; score(key: string): Float64Array };
}

export function readStudyFolder(dir: string, version: string): StudyFolder {
  const path = join(dir, 'results.json');
  let results: StudyResults;
  try {
    results = JSON.parse(readFileSync(path, 'utf8')) as StudyResults;
  } catch (error) {
    throw new InputError(`${path}: cannot read a study's results (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); --study must be the OUT folder of \`spinesurv study\``);
  }
  if (results?.created_by !== STUDY_WRITER || results.tool?.name !== 'spinesurv' || !Array.isArray(results.test?.models)) {
    throw new InputError(`${path}: not the results of \`spinesurv study\``);
  }
  // Model folders and results.json change shape between versions; a study from another version is
  // refused rather than read half right.
  if (results.tool.version !== version) {
    throw new InputError(`${path}: the study was made by spinesurv ${results.tool.version}, this is ${version}; rerun the study with this version`);
  }
  const models = results.test.models;
  for (const m of models) {
    if (m.method === 'frax') continue;
    const model = join(dir, 'models', m.key, 'model.json');
    if (!existsSync(model)) throw new InputError(`${model}: missing; the study's model "${m.key}" cannot be applied`);
  }
  const csvs = new Map<Subgroup, ReturnType<typeof readCsv>>();
  return {
    dir,
    results,
    models,
    modelDir: (key) => (models.find((m) => m.key === key)?.method === 'frax' ? null : join(dir, 'models', key)),
    development(subgroup) {
      let table = csvs.get(subgroup);
      if (!table) {
        table = readCsv(join(dir, 'predictions', `test-${subgroup}.csv`));
        csvs.set(subgroup, table);
      }
      const t = table;
      return { time: t.numbers('time'), event: Uint8Array.from(t.numbers('event')), score: (key) => t.numbers(key) };
    },
  };
}
