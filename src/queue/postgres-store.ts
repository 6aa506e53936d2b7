/**
 * The result store in PostgreSQL (`--store postgres://USER@HOST:PORT/DB`), for when several machines
 * write results themselves (workers with --store) or several submitters share one store. Same table,
 * same SQL as the SQLite store (result-store.ts), through the project's SQL driver.
 */
import { isPostgresUrl } from '../util/database-url.js';
import { UsageError } from '../util/errors.js';
import { openPostgres } from '../util/sql-driver.js';
import { openResultStore, type ResultStore } from './result-store.js';

/** The --store option: a postgres:// URL, or a usage error (the SQLite store needs no flag: it is STORE/results.sqlite). */
export function storeUrlOption(spec: string | undefined): string | undefined {
  if (spec !== undefined && !isPostgresUrl(spec)) throw new UsageError(`--store ${spec}: expected a postgres:// URL (the SQLite store is the --out folder's own)`);
  return spec;
}

export async function openPostgresStore(url: string): Promise<ResultStore> {
  const db = await openPostgres(url, '--store');
  try {
    return await openResultStore(db);
  } catch (error) {
    await db.close();
    throw error;
  }
}
