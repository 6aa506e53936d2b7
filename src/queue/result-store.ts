/**
 * The result store: one row per (image sha256, model version), written idempotently so that a job
 * delivered twice (the queue promises at-least-once) still leaves exactly one result. A final result
 * (scored, flagged, or failed because of the input) is never overwritten; a result recorded after every
 * retry failed (`retryable`) is replaced by any later one, so a re-run tries those images again.
 *
 * One set of SQL over the project's SQL driver (util/sql-driver.ts): SQLite in WAL mode (the `score`
 * process and `worker` processes on the same machine may share one file; writes are short
 * transactions and a busy writer is waited for), or PostgreSQL (postgres-store.ts) when several
 * machines write results themselves.
 */
import { openSqlite, type SqlDriver, type SqlValue } from '../util/sql-driver.js';
import type { ScoreResult, ScoreStatus } from './scorer.js';

export interface StoredResult extends ScoreResult {
  sha256: string;
  modelVersion: string;
  /** The path it was first submitted under (the same bytes under another name share the row). */
  file: string;
  /** Which worker wrote it (thread or queue worker name), for tracing retries. */
  worker: string | null;
  /** How many times scoring was started for it, this one included. */
  attempts: number;
  /** True when it failed every attempt for a reason other than its input (dead-lettered). */
  retryable: boolean;
  scoredAt: string;
}

/** Asynchronous, so that SQLite and PostgreSQL are used alike. */
export interface ResultStore {
  /** Where it is, for messages (a path, or a URL without its password). */
  readonly where: string;
  get(sha256: string, modelVersion: string): Promise<StoredResult | undefined>;
  /** The sha256 of every image with a final result for this model. */
  finalShas(modelVersion: string): Promise<Set<string>>;
  /** Stores a result unless a final one is there already; returns whether it was written. */
  put(result: StoredResult): Promise<boolean>;
  /** Every result for this model, by sha256. */
  resultsFor(modelVersion: string): Promise<Map<string, StoredResult>>;
  count(modelVersion: string): Promise<number>;
  close(): Promise<void>;
}

/** The table, and the idempotent write, in SQL that SQLite and PostgreSQL both accept. */
export const CREATE_RESULTS_TABLE = `CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    model_version TEXT NOT NULL,
    file TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scored', 'flagged', 'failed')),
    risk DOUBLE PRECISION,
    surv TEXT,
    flags TEXT NOT NULL,
    reason TEXT,
    worker TEXT,
    attempts INTEGER NOT NULL,
    retryable INTEGER NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (sha256, model_version)
  )`;

export const RESULT_COLUMNS = ['sha256', 'model_version', 'file', 'status', 'risk', 'surv', 'flags', 'reason', 'worker', 'attempts', 'retryable', 'scored_at'] as const;

/**
 * The upsert. The WHERE is what makes a write idempotent: a final row stays as it was; only a
 * retryable one is replaced.
 */
const UPSERT = `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${RESULT_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (sha256, model_version) DO UPDATE SET ${RESULT_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')} WHERE results.retryable = 1`;

/** A result as the row's values, in RESULT_COLUMNS order. */
function rowValues(x: StoredResult): SqlValue[] {
  return [
    x.sha256,
    x.modelVersion,
    x.file,
    x.status,
    x.risk,
    x.surv === null ? null : JSON.stringify(x.surv),
    JSON.stringify(x.flags),
    x.reason,
    x.worker,
    x.attempts,
    x.retryable ? 1 : 0,
    x.scoredAt,
  ];
}

interface Row {
  sha256: string;
  model_version: string;
  file: string;
  status: string;
  risk: number | null;
  surv: string | null;
  flags: string;
  reason: string | null;
  worker: string | null;
  attempts: number;
  retryable: number;
  scored_at: string;
}

function fromRow(r: Row): StoredResult {
  return {
    sha256: r.sha256,
    modelVersion: r.model_version,
    file: r.file,
    status: r.status as ScoreStatus,
    risk: r.risk,
    surv: r.surv === null ? null : (JSON.parse(r.surv) as Record<string, number>),
    flags: JSON.parse(r.flags) as string[],
    reason: r.reason,
    worker: r.worker,
    attempts: r.attempts,
    retryable: r.retryable === 1,
    scoredAt: r.scored_at,
  };
}

/** The results table on an open driver (made when absent), and the store's queries. */
export async function openResultStore(db: SqlDriver): Promise<ResultStore> {
  try {
    await db.run(CREATE_RESULTS_TABLE);
  } catch (error) {
    // Two processes creating the table at once on PostgreSQL: the loser sees a unique violation on the catalogue (23505) or the table (42P07); it is there.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
  const rows = (sql: string, params: SqlValue[]) => db.all<Row>(sql, params);
  return {
    where: db.where,
    get: async (sha, version) => (await rows('SELECT * FROM results WHERE sha256 = ? AND model_version = ?', [sha, version])).map(fromRow)[0],
    finalShas: async (version) => new Set((await rows('SELECT sha256 FROM results WHERE model_version = ? AND retryable = 0', [version])).map((r) => r.sha256)),
    put: async (x) => (await db.run(UPSERT, rowValues(x))) > 0,
    resultsFor: async (version) => new Map((await rows('SELECT * FROM results WHERE model_version = ?', [version])).map((r) => [r.sha256, fromRow(r)])),
    // PostgreSQL's COUNT is a bigint, which pg hands over as a string.
    count: async (version) => Number((await db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM results WHERE model_version = ?', [version]))[0]?.n ?? 0),
    close: () => db.close(),
  };
}

/** STORE/results.sqlite: a result lost to a power cut is scored again on the next run, so NORMAL durability is enough. */
export function openSqliteStore(path: string): Promise<ResultStore> {
  return openResultStore(openSqlite(path, { synchronous: 'NORMAL' }));
}
