/**
 * The result store: one row per (image sha256, model version), written idempotently so that a job
 * delivered twice (the queue promises at-least-once) still leaves exactly one result. A final result
 * (scored, flagged, or failed because of the input) is never overwritten; a result recorded after every
 * retry failed (`retryable`) is replaced by any later one, so a re-run tries those images again.
 *
 * SQLite (better-sqlite3) in WAL mode: the `score` process and `worker` processes on the same machine
 * may share one file; writes are short transactions and a busy writer is waited for.
 */
import Database from 'better-sqlite3';
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

/** Asynchronous, so that SQLite (here) and PostgreSQL (postgres-store.ts) are used alike. */
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
 * The upsert, with placeholders made by `placeholder(i)` (SQLite: ?, PostgreSQL: $1..). The WHERE is
 * what makes a write idempotent: a final row stays as it was; only a retryable one is replaced.
 */
export function upsertSql(placeholder: (i: number) => string): string {
  const updates = RESULT_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${RESULT_COLUMNS.map((_, i) => placeholder(i + 1)).join(', ')})
    ON CONFLICT (sha256, model_version) DO UPDATE SET ${updates} WHERE results.retryable = 1`;
}

/** A result as the row's values, in RESULT_COLUMNS order. */
export function rowValues(x: StoredResult): Array<string | number | null> {
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

export interface Row {
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

export function fromRow(r: Row): StoredResult {
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

export function openSqliteStore(path: string): ResultStore {
  const db = new Database(path, { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(CREATE_RESULTS_TABLE);
  const getStmt = db.prepare<[string, string], Row>('SELECT * FROM results WHERE sha256 = ? AND model_version = ?');
  const finalStmt = db.prepare<[string], { sha256: string }>('SELECT sha256 FROM results WHERE model_version = ? AND retryable = 0');
  const allStmt = db.prepare<[string], Row>('SELECT * FROM results WHERE model_version = ?');
  const countStmt = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM results WHERE model_version = ?');
  const putStmt = db.prepare(upsertSql(() => '?'));
  return {
    where: path,
    get: async (sha, version) => {
      const r = getStmt.get(sha, version);
      return r === undefined ? undefined : fromRow(r);
    },
    finalShas: async (version) => new Set(finalStmt.all(version).map((r) => r.sha256)),
    put: async (x) => putStmt.run(...rowValues(x)).changes > 0,
    resultsFor: async (version) => new Map(allStmt.all(version).map((r) => [r.sha256, fromRow(r)])),
    count: async (version) => countStmt.get(version)?.n ?? 0,
    close: async () => {
      db.close();
    },
  };
}
