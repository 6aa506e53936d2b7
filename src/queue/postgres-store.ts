/**
 * The result store in PostgreSQL (`--store postgres://USER@HOST:PORT/DB`), for when several machines
 * write results themselves (workers with --store) or several submitters share one store. Same table,
 * same idempotent upsert as the SQLite store (result-store.ts).
 */
import pg from 'pg';
import { isPostgresUrl, redactUrl } from '../util/database-url.js';
import { InputError, UsageError } from '../util/errors.js';
import { CREATE_RESULTS_TABLE, fromRow, rowValues, upsertSql, type ResultStore, type Row } from './result-store.js';

/** The --store option: a postgres:// URL, or a usage error (the SQLite store needs no flag: it is STORE/results.sqlite). */
export function storeUrlOption(spec: string | undefined): string | undefined {
  if (spec !== undefined && !isPostgresUrl(spec)) throw new UsageError(`--store ${spec}: expected a postgres:// URL (the SQLite store is the --out folder's own)`);
  return spec;
}

export async function openPostgresStore(url: string): Promise<ResultStore> {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // A server that goes away is reported by the query that needed it; an idle client's error must not end the process.
  pool.on('error', () => undefined);
  try {
    await pool.query(CREATE_RESULTS_TABLE);
  } catch (error) {
    const e = error as { code?: string; message: string };
    // Two processes creating the table at once: the loser sees a unique violation on the catalogue; the table is there.
    if (e.code !== '23505' && e.code !== '42P07') {
      await pool.end();
      throw new InputError(`--store ${where}: cannot use the database (${e.code ?? ''}${e.code ? ': ' : ''}${e.message})`);
    }
  }
  const put = upsertSql((i) => `$${i}`);
  const rows = async (sql: string, values: unknown[]): Promise<Row[]> => {
    const r = await pool.query(sql, values);
    // PostgreSQL returns DOUBLE PRECISION as a number and INTEGER as a number: the same Row as SQLite.
    return r.rows as Row[];
  };
  return {
    where,
    get: async (sha, version) => {
      const r = await rows('SELECT * FROM results WHERE sha256 = $1 AND model_version = $2', [sha, version]);
      return r.length === 0 ? undefined : fromRow(r[0]);
    },
    finalShas: async (version) => new Set((await rows('SELECT sha256 FROM results WHERE model_version = $1 AND retryable = 0', [version])).map((r) => r.sha256)),
    put: async (x) => ((await pool.query(put, rowValues(x))).rowCount ?? 0) > 0,
    resultsFor: async (version) => new Map((await rows('SELECT * FROM results WHERE model_version = $1', [version])).map((r) => [r.sha256, fromRow(r)])),
    count: async (version) => Number((await pool.query('SELECT COUNT(*) AS n FROM results WHERE model_version = $1', [version])).rows[0].n),
    close: () => pool.end(),
  };
}
