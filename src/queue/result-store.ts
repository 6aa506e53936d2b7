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

export interface ResultStore {
  get(sha256: string, modelVersion: string): StoredResult | undefined;
  /** The sha256 of every image with a final result for this model. */
  finalShas(modelVersion: string): Set<string>;
  /** Stores a result unless a final one is there already; returns whether it was written. */
  put(result: StoredResult): boolean;
  /** Every result for this model, by sha256. */
  resultsFor(modelVersion: string): Map<string, StoredResult>;
  count(modelVersion: string): number;
  close(): void;
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

export function openSqliteStore(path: string): ResultStore {
  const db = new Database(path, { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    model_version TEXT NOT NULL,
    file TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scored', 'flagged', 'failed')),
    risk REAL,
    surv TEXT,
    flags TEXT NOT NULL,
    reason TEXT,
    worker TEXT,
    attempts INTEGER NOT NULL,
    retryable INTEGER NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (sha256, model_version)
  )`);
  const getStmt = db.prepare<[string, string], Row>('SELECT * FROM results WHERE sha256 = ? AND model_version = ?');
  const finalStmt = db.prepare<[string], { sha256: string }>('SELECT sha256 FROM results WHERE model_version = ? AND retryable = 0');
  const allStmt = db.prepare<[string], Row>('SELECT * FROM results WHERE model_version = ?');
  const countStmt = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM results WHERE model_version = ?');
  // The WHERE on the upsert is what makes a write idempotent: a final row stays as it was.
  const putStmt = db.prepare(`INSERT INTO results
      (sha256, model_version, file, status, risk, surv, flags, reason, worker, attempts, retryable, scored_at)
      VALUES (@sha256, @model_version, @file, @status, @risk, @surv, @flags, @reason, @worker, @attempts, @retryable, @scored_at)
    ON CONFLICT (sha256, model_version) DO UPDATE SET
      file = excluded.file, status = excluded.status, risk = excluded.risk, surv = excluded.surv,
      flags = excluded.flags, reason = excluded.reason, worker = excluded.worker,
      attempts = excluded.attempts, retryable = excluded.retryable, scored_at = excluded.scored_at
    WHERE results.retryable = 1`);
  return {
    get: (sha, version) => {
      const r = getStmt.get(sha, version);
      return r === undefined ? undefined : fromRow(r);
    },
    finalShas: (version) => new Set(finalStmt.all(version).map((r) => r.sha256)),
    put: (x) =>
      putStmt.run({
        sha256: x.sha256,
        model_version: x.modelVersion,
        file: x.file,
        status: x.status,
        risk: x.risk,
        surv: x.surv === null ? null : JSON.stringify(x.surv),
        flags: JSON.stringify(x.flags),
        reason: x.reason,
        worker: x.worker,
        attempts: x.attempts,
        retryable: x.retryable ? 1 : 0,
        scored_at: x.scoredAt,
      }).changes > 0,
    resultsFor: (version) => new Map(allStmt.all(version).map((r) => [r.sha256, fromRow(r)])),
    count: (version) => countStmt.get(version)?.n ?? 0,
    close: () => db.close(),
  };
}
