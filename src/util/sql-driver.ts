/**
 * One small face over SQLite (better-sqlite3, a file) and PostgreSQL (a postgres:// URL), so that the
 * SQL of every store (the server's, serve/serve-db.ts; the score queue's results, queue/result-store.ts)
 * is written once: statements use `?` placeholders, which the PostgreSQL side numbers ($1, $2, ...),
 * and a batch runs its statements in one transaction.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { InputError } from './errors.js';
import { redactUrl } from './database-url.js';

export type SqlValue = string | number | null;

export interface Statement {
  sql: string;
  params: SqlValue[];
}

export interface SqlDriver {
  /** For messages: the file, or the URL without its password. */
  readonly where: string;
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Runs one statement; resolves to the number of rows it changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
  /** Runs every statement in one transaction: all or none. Resolves to each one's changed-row count. */
  batch(statements: Statement[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface SqliteOptions {
  /**
   * FULL (the default): a committed row survives a power cut too, as a C-STORE success promises.
   * NORMAL: survives a crash of the process, not of the machine (a result that can be scored again).
   */
  synchronous?: 'FULL' | 'NORMAL';
}

export function openSqlite(path: string, options: SqliteOptions = {}): SqlDriver {
  const db = new Database(path, { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (s === undefined) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const runBatch = db.transaction((statements: Statement[]) => statements.map((s) => prepared(s.sql).run(...s.params).changes));
  return {
    where: path,
    all: async <T>(sql: string, params: SqlValue[] = []) => {
      const s = prepared(sql);
      return (s.reader ? s.all(...params) : (s.run(...params), [])) as T[];
    },
    run: async (sql, params = []) => prepared(sql).run(...params).changes,
    batch: async (statements) => runBatch(statements),
    close: async () => {
      db.close();
    },
  };
}

/** `?` placeholders numbered for PostgreSQL. The server's SQL has no `?` inside string literals. */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** `flag` names the option the URL came from in messages (--db for serve, --store for score). */
export async function openPostgres(url: string, flag = '--db'): Promise<SqlDriver> {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // A server that goes away is reported by the query that needed it; an idle client's error must not end the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new InputError(`${flag} ${where}: cannot connect (${(error as Error).message})`);
  }
  return {
    where,
    all: async <T>(sql: string, params: SqlValue[] = []) => (await pool.query(numbered(sql), params)).rows as T[],
    run: async (sql, params = []) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
    batch: async (statements) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const counts: number[] = [];
        for (const s of statements) counts.push((await client.query(numbered(s.sql), s.params)).rowCount ?? 0);
        await client.query('COMMIT');
        return counts;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
