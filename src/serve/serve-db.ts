/**
 * The server's database: one row per received instance (its UIDs, stored file, status, current
 * result, predicted and corrected keypoints, clinical values) and one row per score ever made, keyed
 * by (SOP Instance UID, model version, keypoints source, clinical values), so that an instance is
 * scored at most once for the same inputs, whatever restarts happen. Same SQL on SQLite and PostgreSQL.
 *
 * `pending` = 1 marks an instance the scoring loop must (re)score; `revision` counts the clinician's
 * changes, so that a score made from an older revision never clears a newer change's pending mark.
 */
import type { SqlDriver, Statement } from '../util/sql-driver.js';

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

/** A finished scoring of one instance, flagged or failed included. */
export interface ScoreRecord {
  status: 'scored' | 'flagged' | 'failed';
  risk: number | null;
  surv: Record<string, number> | null;
  percentile: number | null;
  flags: string[];
  warnings: string[];
  reason: string | null;
  /** The keypoints the score used (the detector's, or the correction); null when none were found. */
  keypoints: number[] | null;
  /** The detector's keypoints, when this scoring ran the detector. */
  predictedKeypoints: number[] | null;
  modelVersion: string;
  keypointsSource: string;
  clinicalKey: string;
  scoredAt: string;
}

export interface StoredScore {
  status: 'scored' | 'flagged' | 'failed';
  risk: number | null;
  surv: string | null;
  percentile: number | null;
  flags: string;
  warnings: string;
  reason: string | null;
  keypoints: string | null;
  scored_at: string;
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

  async findScore(uid: string, modelVersion: string, keypointsSource: string, clinicalKey: string): Promise<StoredScore | undefined> {
    return (await this.sql.all<StoredScore>(
      'SELECT * FROM serve_scores WHERE sop_instance_uid = ? AND model_version = ? AND keypoints_source = ? AND clinical_key = ?',
      [uid, modelVersion, keypointsSource, clinicalKey],
    ))[0];
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
  async recordScore(uid: string, revision: number, s: ScoreRecord): Promise<void> {
    const surv = s.surv === null ? null : JSON.stringify(s.surv);
    const keypoints = s.keypoints === null ? null : JSON.stringify(s.keypoints);
    const statements: Statement[] = [
      {
        sql: `INSERT INTO serve_scores (sop_instance_uid, model_version, keypoints_source, clinical_key, status, risk, surv, percentile,
          flags, warnings, reason, keypoints, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (sop_instance_uid, model_version, keypoints_source, clinical_key) DO NOTHING`,
        params: [uid, s.modelVersion, s.keypointsSource, s.clinicalKey, s.status, s.risk, surv, s.percentile, JSON.stringify(s.flags),
          JSON.stringify(s.warnings), s.reason, keypoints, s.scoredAt],
      },
      {
        sql: `UPDATE serve_instances SET status = ?, risk = ?, surv = ?, percentile = ?, flags = ?, warnings = ?, reason = ?,
          predicted_keypoints = COALESCE(?, predicted_keypoints), missing_clinical = '[]', keypoints_source = ?, model_version = ?,
          scored_at = ?, retry_on_start = 0, pending = CASE WHEN revision = ? THEN 0 ELSE pending END WHERE sop_instance_uid = ?`,
        params: [s.status, s.risk, surv, s.percentile, JSON.stringify(s.flags), JSON.stringify(s.warnings), s.reason,
          s.predictedKeypoints === null ? null : JSON.stringify(s.predictedKeypoints), s.keypointsSource, s.modelVersion, s.scoredAt,
          revision, uid],
      },
    ];
    await this.sql.batch(statements);
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
   * Scoring broke for a reason that is not the image's (the engine, the thread): the instance shows
   * it as failed, but no score is recorded under its key, and the next start (or a change) tries again.
   */
  async markFailed(uid: string, revision: number, reason: string): Promise<void> {
    await this.sql.run(
      `UPDATE serve_instances SET status = 'failed', reason = ?, retry_on_start = 1, pending = CASE WHEN revision = ? THEN 0 ELSE pending END
       WHERE sop_instance_uid = ?`,
      [reason, revision, uid],
    );
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
