/**
 * One small face over SQLite (better-sqlite3, the default, a file in the store) and PostgreSQL (`--db
 * postgres://`), so that the server's SQL is written once: statements use `?` placeholders, which the
 * PostgreSQL side numbers ($1, $2, ...), and a batch runs its statements in one transaction.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { InputError } from '../util/errors.js';
import { redactUrl } from '../util/database-url.js';

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

export function openSqlite(path: string): SqlDriver {
  const db = new Database(path, { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  // FULL: a committed row survives a power cut too, since the row is what a C-STORE success promises.
  db.pragma('synchronous = FULL');
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

export async function openPostgres(url: string): Promise<SqlDriver> {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // A server that goes away is reported by the query that needed it; an idle client's error must not end the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new InputError(`--db ${where}: cannot connect (${(error as Error).message})`);
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
