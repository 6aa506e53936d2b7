/**
 * The STORE folder of `score` and `worker`: the SQLite result store and results.csv. Unlike other
 * outputs it is reopened, not replaced, on a re-run (that is what makes scoring resumable), so it is
 * accepted when missing, empty, or an earlier store; any other non-empty folder is refused as
 * output-folder.ts refuses it. `force` starts the store afresh (only when it holds nothing but its own files).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '../util/database-url.js';
import { InputError, UsageError } from '../util/errors.js';
import { checkOutputFolder, OUTPUT_MARKER, readOutputMarker, type OutputMarker } from '../util/output-folder.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore, type ResultStore } from './result-store.js';

export const STORE_CREATED_BY = 'spinesurv score';
export const STORE_DB = 'results.sqlite';
export const RESULTS_CSV = 'results.csv';
const STORE_FILES = [STORE_DB, `${STORE_DB}-wal`, `${STORE_DB}-shm`, RESULTS_CSV];

function isStore(dir: string): boolean {
  return readOutputMarker(dir)?.created_by === STORE_CREATED_BY;
}

/** Refuses at once (before long work) a folder that cannot be a store; returns whether an earlier store will be reused. */
export function checkStoreFolder(dir: string, options: { force?: boolean } = {}): 'new' | 'resume' | 'replace' {
  const state = checkOutputFolder(dir, { force: options.force || isStore(dir), createdBy: STORE_CREATED_BY });
  if (state !== 'replace') return 'new';
  if (!isStore(dir)) {
    // checkOutputFolder accepted it only because of --force: another command's output, not a store.
    throw new InputError(`${dir}: holds an earlier output of ${readOutputMarker(dir)?.created_by}, not a result store; choose another folder`);
  }
  return options.force ? 'replace' : 'resume';
}

/**
 * Opens (or creates) the store folder; the results live in its SQLite file, or in PostgreSQL when
 * `database` is a postgres:// URL (the folder then holds results.csv only).
 */
export async function openStoreFolder(dir: string, options: { force?: boolean; database?: string } = {}): Promise<ResultStore> {
  if (options.database !== undefined && options.force) {
    throw new UsageError(`--force cannot discard a shared PostgreSQL store (${redactUrl(options.database)}); delete its rows there if that is meant`);
  }
  const state = checkStoreFolder(dir, options);
  if (state === 'replace') for (const f of STORE_FILES) rmSync(join(dir, f), { force: true });
  if (state !== 'resume') {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new InputError(`${dir}: cannot create the store folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const marker: OutputMarker = { created_by: STORE_CREATED_BY, files: STORE_FILES };
    writeFileSync(join(dir, OUTPUT_MARKER), JSON.stringify(marker, null, 2) + '\n');
  }
  return options.database !== undefined ? openPostgresStore(options.database) : openSqliteStore(join(dir, STORE_DB));
}
