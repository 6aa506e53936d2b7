/**
 * The server's database: one row per received instance (its UIDs, stored file, status, current
 * result, predicted and corrected keypoints, clinical values) and one row per score ever made, keyed
 * by (SOP Instance UID, model version, keypoints source, clinical values), so that an instance is
 * scored at most once for the same inputs, whatever restarts happen. Same SQL on SQLite and PostgreSQL.
 *
 * `pending` = 1 marks an instance the scoring loop must (re)score; `revision` counts the clinician's
 * changes, so that a score made from an older revision never clears a newer change's pending mark.
 */
import { outcomeFields, outcomeFromFields, type FailedOutcome, type OutcomeFields, type ScoreOutcome } from '../models/image/score-outcome.js';
import type { SqlDriver, SqlValue, Statement } from '../util/sql-driver.js';
import { uidTag } from './uid.js';

const CREATE = [
  `CREATE TABLE IF NOT EXISTS serve_instances (
    sop_instance_uid TEXT PRIMARY KEY,
    study_instance_uid TEXT NOT NULL,
    series_instance_uid TEXT NOT NULL,
    sop_class_uid TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    accession_number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'scored', 'flagged', 'failed')),
    pending INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    reason TEXT,
    flags TEXT NOT NULL,
    warnings TEXT NOT NULL,
    risk DOUBLE PRECISION,
    surv TEXT,
    percentile DOUBLE PRECISION,
    predicted_keypoints TEXT,
    corrected_keypoints TEXT,
    corrected_by TEXT,
    corrected_at TEXT,
    clinical TEXT NOT NULL,
    set_clinical TEXT NOT NULL,
    clinical_by TEXT,
    clinical_at TEXT,
    missing_clinical TEXT NOT NULL,
    keypoints_source TEXT,
    model_version TEXT,
    received_at TEXT NOT NULL,
    scored_at TEXT,
    forward_state TEXT,
    forward_attempts INTEGER NOT NULL,
    forward_error TEXT,
    forward_after TEXT,
    retry_on_start INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS serve_scores (
    sop_instance_uid TEXT NOT NULL,
    model_version TEXT NOT NULL,
    keypoints_source TEXT NOT NULL,
    clinical_key TEXT NOT NULL,
    status TEXT NOT NULL,
    risk DOUBLE PRECISION,
    surv TEXT,
    percentile DOUBLE PRECISION,
    flags TEXT NOT NULL,
    warnings TEXT NOT NULL,
    reason TEXT,
    keypoints TEXT,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (sop_instance_uid, model_version, keypoints_source, clinical_key)
  )`,
  // Every change a clinician made, append-only: serve_instances keeps only the latest, this keeps them all.
  `CREATE TABLE IF NOT EXISTS serve_changes (
    sop_instance_uid TEXT NOT NULL,
    revision INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('keypoints', 'clinical')),
    value TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (sop_instance_uid, revision)
  )`,
  'CREATE INDEX IF NOT EXISTS serve_instances_pending ON serve_instances (pending, received_at)',
  // A store made before serve_changes existed: its latest changes become the start of the history.
  `INSERT INTO serve_changes (sop_instance_uid, revision, kind, value, changed_by, changed_at)
   SELECT sop_instance_uid, revision, 'keypoints', corrected_keypoints, COALESCE(corrected_by, ''), COALESCE(corrected_at, '')
   FROM serve_instances i WHERE corrected_keypoints IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM serve_changes c WHERE c.sop_instance_uid = i.sop_instance_uid)`,
];

/** A row of serve_instances as both drivers return it (JSON columns as text). */
export interface InstanceRow {
  sop_instance_uid: string;
  study_instance_uid: string;
  series_instance_uid: string;
  sop_class_uid: string;
  file: string;
  sha256: string;
  patient_name: string;
  patient_id: string;
  accession_number: string;
  status: 'received' | 'scored' | 'flagged' | 'failed';
  pending: number;
  revision: number;
  reason: string | null;
  flags: string;
  warnings: string;
  risk: number | null;
  surv: string | null;
  percentile: number | null;
  predicted_keypoints: string | null;
  corrected_keypoints: string | null;
  corrected_by: string | null;
  corrected_at: string | null;
  clinical: string;
  set_clinical: string;
  clinical_by: string | null;
  clinical_at: string | null;
  missing_clinical: string;
  keypoints_source: string | null;
  model_version: string | null;
  received_at: string;
  scored_at: string | null;
  forward_state: string | null;
  forward_attempts: number;
  forward_error: string | null;
  forward_after: string | null;
  retry_on_start: number;
}

/** A row of serve_changes. */
export interface ChangeRow {
  sop_instance_uid: string;
  revision: number;
  kind: 'keypoints' | 'clinical';
  value: string;
  changed_by: string;
  changed_at: string;
}

export interface NewInstance {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  file: string;
  sha256: string;
  patientName: string;
  patientId: string;
  accessionNumber: string;
  /** Clinical values known on arrival (header, then the --clinical CSV). */
  clinical: Record<string, string | number>;
  receivedAt: string;
  /** Whether results go to a PACS (--forward): the row starts with forward_state 'pending'. */
  forward: boolean;
}

/**
 * What a score is kept under besides the instance: the model, the keypoints it was cut at, the
 * clinical values it read.
 */
export interface ScoreKey {
  modelVersion: string;
  /** 'detector', or 'corrected:<hash of the points>' for a clinician's keypoints. */
  keypointsSource: string;
  /** The clinician's keypoints; null when the detector's were used. */
  keypoints: number[] | null;
  clinicalKey: string;
}

/** A row of serve_scores. */
interface ScoreRow extends ScoreColumns {
  keypoints: string | null;
}

/** The columns both tables hold of a score, as both drivers return them (JSON as text). */
interface ScoreColumns {
  status: string;
  risk: number | null;
  surv: string | null;
  percentile: number | null;
  flags: string;
  warnings: string;
  reason: string | null;
  model_version: string | null;
  scored_at: string | null;
}

/*
 * A score's rows and its ScoreOutcome, both ways, for both tables: here and nowhere else.
 */

const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));
const parsed = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** The columns of a score that both tables hold. */
const SCORE_COLUMNS = ['status', 'risk', 'surv', 'percentile', 'flags', 'warnings', 'reason', 'model_version', 'scored_at'] as const;

/** An outcome's values for SCORE_COLUMNS, in their order. */
function scoreColumnValues(f: OutcomeFields): SqlValue[] {
  return [f.status, f.risk, json(f.surv), f.percentile, JSON.stringify(f.flags), JSON.stringify(f.warnings), f.reason, f.modelVersion, f.scoredAt];
}

/** The outcome a row's score columns hold, with the keypoints as that table keeps them. */
function outcomeOfColumns(row: ScoreColumns, keypoints: number[] | null, predicted: number[] | null, given: boolean, where: string): ScoreOutcome {
  const fields: OutcomeFields = {
    status: row.status as OutcomeFields['status'], risk: row.risk, surv: parsed(row.surv), percentile: row.percentile,
    flags: JSON.parse(row.flags) as string[], warnings: JSON.parse(row.warnings) as string[], reason: row.reason,
    keypoints, predicted, modelVersion: row.model_version ?? '', scoredAt: row.scored_at ?? '',
  };
  return outcomeFromFields(fields, given ? 'given' : 'detector', where);
}

/**
 * An instance's current score, from its row: null while it has none (received, or waiting for
 * clinical values). The keypoints of a score are the ones its keypoints source names: the detector's
 * (kept beside any correction) or the clinician's.
 */
export function instanceOutcome(row: InstanceRow): ScoreOutcome | null {
  if (row.status === 'received' || row.model_version === null || row.scored_at === null) return null;
  const given = row.keypoints_source !== null && row.keypoints_source !== 'detector';
  const predicted = parsed<number[]>(row.predicted_keypoints);
  // A score always had keypoints; a row recovered while its score was reused may lack the detector's:
  // none rather than a made-up set (the PACS result's check then refuses it by name).
  const keypoints = (given ? parsed<number[]>(row.corrected_keypoints) : predicted) ?? [];
  return outcomeOfColumns(row, keypoints, predicted, given, `instance ${uidTag(row.sop_instance_uid)}`);
}

export class ServeDb {
  constructor(private readonly sql: SqlDriver) {}

  get where(): string {
    return this.sql.where;
  }

  async init(): Promise<void> {
    for (const ddl of CREATE) await this.sql.run(ddl);
  }

  /** Records a received instance; false when the SOP Instance UID is there already (a re-send). */
  async insertReceived(x: NewInstance): Promise<boolean> {
    const changed = await this.sql.run(
      `INSERT INTO serve_instances (sop_instance_uid, study_instance_uid, series_instance_uid, sop_class_uid, file, sha256,
        patient_name, patient_id, accession_number, status, pending, revision, flags, warnings, clinical, set_clinical,
        missing_clinical, received_at, forward_state, forward_attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 1, 0, '[]', '[]', ?, '{}', '[]', ?, ?, 0)
       ON CONFLICT (sop_instance_uid) DO NOTHING`,
      [x.sopInstanceUid, x.studyInstanceUid, x.seriesInstanceUid, x.sopClassUid, x.file, x.sha256, x.patientName, x.patientId,
        x.accessionNumber, JSON.stringify(x.clinical), x.receivedAt, x.forward ? 'pending' : null],
    );
    return changed > 0;
  }

  async get(uid: string): Promise<InstanceRow | undefined> {
    return (await this.sql.all<InstanceRow>('SELECT * FROM serve_instances WHERE sop_instance_uid = ?', [uid]))[0];
  }

  async list(): Promise<InstanceRow[]> {
    return this.sql.all<InstanceRow>('SELECT * FROM serve_instances ORDER BY received_at, sop_instance_uid');
  }

  async files(): Promise<Set<string>> {
    return new Set((await this.sql.all<{ file: string }>('SELECT file FROM serve_instances')).map((r) => r.file));
  }

  /**
   * Instances waiting to be scored: a clinician's change first (someone is waiting for it on the web
   * page), then arrivals, oldest first.
   */
  async pending(limit: number): Promise<InstanceRow[]> {
    return this.sql.all<InstanceRow>(
      'SELECT * FROM serve_instances WHERE pending = 1 ORDER BY CASE WHEN revision > 0 THEN 0 ELSE 1 END, received_at, sop_instance_uid LIMIT ?',
      [limit],
    );
  }

  /**
   * The score made before with exactly these inputs, if any. The detector did not run again, but when
   * it was the source, the keypoints kept are its own (the same image, the same model).
   */
  async findScore(uid: string, key: ScoreKey): Promise<ScoreOutcome | undefined> {
    const row = (await this.sql.all<ScoreRow & { model_version: string }>(
      'SELECT * FROM serve_scores WHERE sop_instance_uid = ? AND model_version = ? AND keypoints_source = ? AND clinical_key = ?',
      [uid, key.modelVersion, key.keypointsSource, key.clinicalKey],
    ))[0];
    if (row === undefined) return undefined;
    const keypoints = parsed<number[]>(row.keypoints);
    const given = key.keypoints !== null;
    return outcomeOfColumns(row, row.status === 'scored' ? keypoints : null, given ? null : keypoints, given, `a stored score of instance ${uidTag(uid)}`);
  }

  /** How many scores the database holds for an instance (every keypoints source and clinical set). */
  async scoreCount(uid: string): Promise<number> {
    return Number((await this.sql.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM serve_scores WHERE sop_instance_uid = ?', [uid]))[0].n);
  }

  /**
   * Stores a score (once per key: a second insert of the same key changes nothing) and makes it the
   * instance's current result, in one transaction. The pending mark is cleared only when no change
   * arrived since `revision` was read.
   */
  async recordScore(uid: string, revision: number, key: ScoreKey, outcome: ScoreOutcome): Promise<void> {
    // Kept under the version the server started with, as the key is (the folder is hashed once, at start).
    const f = { ...outcomeFields(outcome), modelVersion: key.modelVersion };
    // The keypoints the score used: the input's when scored; else the clinician's, or the detector's (kept to be corrected).
    const keypoints = f.keypoints ?? key.keypoints ?? f.predicted;
    await this.sql.batch([
      {
        sql: `INSERT INTO serve_scores (sop_instance_uid, keypoints_source, clinical_key, keypoints, ${SCORE_COLUMNS.join(', ')})
          VALUES (?, ?, ?, ?, ${SCORE_COLUMNS.map(() => '?').join(', ')})
          ON CONFLICT (sop_instance_uid, model_version, keypoints_source, clinical_key) DO NOTHING`,
        params: [uid, key.keypointsSource, key.clinicalKey, json(keypoints), ...scoreColumnValues(f)],
      },
      this.currentOutcome(uid, revision, f, { sql: "keypoints_source = ?, missing_clinical = '[]', retry_on_start = 0", params: [key.keypointsSource] }),
    ]);
  }

  /**
   * Makes the outcome the instance's current result: its score columns, and the detector's keypoints
   * when it ran (otherwise the earlier ones stay); `also` sets the rest.
   */
  private currentOutcome(uid: string, revision: number, f: OutcomeFields, also: Statement): Statement {
    return {
      sql: `UPDATE serve_instances SET ${SCORE_COLUMNS.map((c) => `${c} = ?`).join(', ')}, predicted_keypoints = COALESCE(?, predicted_keypoints),
        ${also.sql}, pending = CASE WHEN revision = ? THEN 0 ELSE pending END WHERE sop_instance_uid = ?`,
      params: [...scoreColumnValues(f), json(f.predicted), ...also.params, revision, uid],
    };
  }

  /** The model needs clinical values this instance lacks: it waits (status received) until they are given. */
  async markWaiting(uid: string, revision: number, missing: string[], reason: string): Promise<void> {
    await this.sql.run(
      `UPDATE serve_instances SET status = 'received', missing_clinical = ?, reason = ?, pending = CASE WHEN revision = ? THEN 0 ELSE pending END
       WHERE sop_instance_uid = ?`,
      [JSON.stringify(missing), reason, revision, uid],
    );
  }

  /**
   * Scoring broke for a reason that is not the image's (the engine, the thread): the failure is the
   * instance's current result, but no score is recorded under its key, and the next start (or a
   * change) tries again.
   */
  async markFailed(uid: string, revision: number, outcome: FailedOutcome): Promise<void> {
    await this.sql.batch([this.currentOutcome(uid, revision, outcomeFields(outcome), { sql: 'retry_on_start = 1', params: [] })]);
  }

  /** On start: instances whose scoring broke for a reason not their own are tried again. */
  async retryFailedScoring(): Promise<number> {
    return this.sql.run('UPDATE serve_instances SET pending = 1, retry_on_start = 0 WHERE retry_on_start = 1');
  }

  /** Stores a clinician's keypoints and marks the instance for re-scoring; resolves to the new revision. */
  async setCorrection(uid: string, keypoints: number[], by: string, at: string): Promise<number> {
    const value = JSON.stringify(keypoints);
    return this.change(uid, 'keypoints', value, by, at, {
      sql: 'UPDATE serve_instances SET corrected_keypoints = ?, corrected_by = ?, corrected_at = ?, revision = revision + 1, pending = 1 WHERE sop_instance_uid = ?',
      params: [value, by, at, uid],
    });
  }

  /**
   * Stores clinical values given after arrival (web page, API) and marks the instance for re-scoring.
   * `values` is every value set so far; the history records only `changed`, the ones this change set.
   */
  async setClinical(uid: string, values: Record<string, string | number>, by: string, at: string, changed: Record<string, string | number> = values): Promise<number> {
    return this.change(uid, 'clinical', JSON.stringify(changed), by, at, {
      sql: 'UPDATE serve_instances SET set_clinical = ?, clinical_by = ?, clinical_at = ?, revision = revision + 1, pending = 1 WHERE sop_instance_uid = ?',
      params: [JSON.stringify(values), by, at, uid],
    });
  }

  /**
   * One change in one transaction: the instance's update (which raises its revision), then the history
   * row under that new revision. The update comes first so that, on PostgreSQL, a second change to the
   * same instance waits for the first one's row lock and reads the revision it wrote.
   */
  private async change(uid: string, kind: 'keypoints' | 'clinical', value: string, by: string, at: string, update: Statement): Promise<number> {
    await this.sql.batch([
      update,
      {
        sql: `INSERT INTO serve_changes (sop_instance_uid, revision, kind, value, changed_by, changed_at)
          SELECT sop_instance_uid, revision, ?, ?, ?, ? FROM serve_instances WHERE sop_instance_uid = ?`,
        params: [kind, value, by, at, uid],
      },
    ]);
    return (await this.get(uid))!.revision;
  }

  /** An instance's changes, oldest first; every instance's when `uid` is not given. */
  async changes(uid?: string): Promise<ChangeRow[]> {
    return uid === undefined
      ? this.sql.all<ChangeRow>('SELECT * FROM serve_changes ORDER BY sop_instance_uid, revision')
      : this.sql.all<ChangeRow>('SELECT * FROM serve_changes WHERE sop_instance_uid = ? ORDER BY revision', [uid]);
  }

  /**
   * On start: instances that wait for clinical values (status received, nothing pending), so that a
   * --clinical CSV given on this start can fill them in.
   */
  async waitingForClinical(): Promise<InstanceRow[]> {
    return this.sql.all<InstanceRow>("SELECT * FROM serve_instances WHERE pending = 0 AND status = 'received' AND missing_clinical <> '[]'");
  }

  /** New arrival values for a waiting instance (re-read from its header and the CSV): it is scored again. */
  async rematchClinical(uid: string, clinical: Record<string, string | number>): Promise<void> {
    await this.sql.run('UPDATE serve_instances SET clinical = ?, pending = 1 WHERE sop_instance_uid = ? AND pending = 0', [JSON.stringify(clinical), uid]);
  }

  /** Scored instances whose results still have to go to the PACS and whose retry time has come. */
  async forwardsDue(now: string, limit: number): Promise<InstanceRow[]> {
    return this.sql.all<InstanceRow>(
      `SELECT * FROM serve_instances WHERE forward_state = 'pending' AND pending = 0 AND status = 'scored'
       AND (forward_after IS NULL OR forward_after <= ?) ORDER BY scored_at LIMIT ?`,
      [now, limit],
    );
  }

  async markForwarded(uid: string, scoredAt: string): Promise<void> {
    // Only the result that was sent: a re-score since then stays pending and is sent again.
    await this.sql.run(
      "UPDATE serve_instances SET forward_state = 'sent', forward_error = NULL, forward_attempts = forward_attempts + 1 WHERE sop_instance_uid = ? AND scored_at = ?",
      [uid, scoredAt],
    );
  }

  async markForwardFailed(uid: string, error: string, retryAfter: string): Promise<void> {
    await this.sql.run(
      'UPDATE serve_instances SET forward_error = ?, forward_after = ?, forward_attempts = forward_attempts + 1 WHERE sop_instance_uid = ?',
      [error, retryAfter, uid],
    );
  }

  /** A re-score makes the new result due for the PACS again. */
  async forwardAgain(uid: string): Promise<void> {
    await this.sql.run("UPDATE serve_instances SET forward_state = 'pending', forward_after = NULL WHERE sop_instance_uid = ? AND forward_state IS NOT NULL", [uid]);
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
