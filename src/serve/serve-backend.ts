/**
 * The ViewerBackend (backend.ts) over the server's database, stored files and scoring loop: what the
 * web viewer's routes and /api/results read, and the two changes a clinician makes, each of which
 * re-scores the instance through the same loop and resolves when that score is in the database.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readRadiographBytes, type Radiograph } from '../imaging/index.js';
import { InputError } from '../util/errors.js';
import type { ChangeRecord, ServedImage, ViewerBackend } from './backend.js';
import { effectiveClinical, keypointsSourceOf, type ScoringLoop } from './scoring-loop.js';
import type { ScorerClient } from './scorer-client.js';
import type { ChangeRow, InstanceRow, ServeDb } from './serve-db.js';
import { uidTag } from './uid.js';

export interface BackendOptions {
  db: ServeDb;
  loop: ScoringLoop;
  scorer: ScorerClient;
  imagesDir: string;
  heatmapsDir: string;
  covariates: string[];
  showPhi: boolean;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function changeRecord(c: ChangeRow): ChangeRecord {
  return { kind: c.kind, value: JSON.parse(c.value) as ChangeRecord['value'], by: c.changed_by, at: c.changed_at };
}

/** An instance as the viewer and /api/results see it; `changes` are its rows of serve_changes, oldest first (none given: an empty history, as forwarding needs no more). */
export function servedImage(row: InstanceRow, showPhi: boolean, changes: ChangeRow[] = []): ServedImage {
  const corrected = parse<number[]>(row.corrected_keypoints);
  const image: ServedImage = {
    sopInstanceUid: row.sop_instance_uid,
    studyInstanceUid: row.study_instance_uid,
    seriesInstanceUid: row.series_instance_uid,
    status: row.status,
    risk: row.risk,
    surv: parse<Record<string, number>>(row.surv),
    percentile: row.percentile,
    flags: JSON.parse(row.flags) as string[],
    warnings: JSON.parse(row.warnings) as string[],
    reason: row.reason,
    predictedKeypoints: parse<number[]>(row.predicted_keypoints),
    correctedKeypoints: corrected === null ? null : { keypoints: corrected, by: row.corrected_by ?? '', at: row.corrected_at ?? '' },
    changes: changes.map(changeRecord),
    clinical: effectiveClinical(row),
    missingClinical: JSON.parse(row.missing_clinical) as string[],
    modelVersion: row.model_version,
    receivedAt: row.received_at,
    scoredAt: row.scored_at,
  };
  if (showPhi) image.phi = { patientName: row.patient_name, patientId: row.patient_id };
  return image;
}

/** A clinician's five points: ten finite numbers. */
function checkKeypoints(keypoints: unknown): number[] {
  if (!Array.isArray(keypoints) || keypoints.length !== 10 || !keypoints.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InputError('keypoints: need 10 finite numbers (x, y for L1..L5)');
  }
  return keypoints as number[];
}

function checkBy(by: unknown): string {
  if (typeof by !== 'string' || by.trim() === '' || by.length > 128) throw new InputError('by: who made the change (1-128 characters)');
  return by.trim();
}

export function makeBackend(o: BackendOptions): ViewerBackend {
  const row = async (uid: string): Promise<InstanceRow | undefined> => o.db.get(uid);
  const served = async (uid: string): Promise<ServedImage | undefined> => {
    const r = await row(uid);
    return r === undefined ? undefined : servedImage(r, o.showPhi, await o.db.changes(uid));
  };
  const changed = async (uid: string, revision: number): Promise<ServedImage> => {
    await o.loop.waitFor(uid, revision);
    return (await served(uid))!;
  };
  return {
    showPhi: o.showPhi,
    list: async () => {
      // Two reads, not one per instance: every instance, then every change (few: only clinicians make them).
      const rows = await o.db.list();
      const byUid = new Map<string, ChangeRow[]>();
      for (const c of await o.db.changes()) {
        const list = byUid.get(c.sop_instance_uid);
        if (list === undefined) byUid.set(c.sop_instance_uid, [c]);
        else list.push(c);
      }
      return rows.map((r) => servedImage(r, o.showPhi, byUid.get(r.sop_instance_uid) ?? []));
    },
    get: served,
    radiograph: async (uid): Promise<Radiograph | undefined> => {
      const r = await row(uid);
      if (r === undefined) return undefined;
      return readRadiographBytes(`instance ${uidTag(uid)}`, await readFile(join(o.imagesDir, r.file)));
    },
    heatmapPng: async (uid) => {
      const r = await row(uid);
      if (r === undefined || r.status !== 'scored' || r.model_version === null) return undefined;
      const { source, keypoints } = keypointsSourceOf(r);
      const used = keypoints ?? parse<number[]>(r.predicted_keypoints);
      if (used === null) return undefined;
      const clinical = effectiveClinical(r);
      const modelClinical: Record<string, string | number> = {};
      for (const c of o.covariates) modelClinical[c] = clinical[c];
      // One PNG per (image, model, keypoints, clinical values): made once, on first request.
      const key = createHash('sha256').update(JSON.stringify([r.file, r.model_version, source, modelClinical])).digest('hex').slice(0, 32);
      const path = join(o.heatmapsDir, `${key}.png`);
      if (!existsSync(path)) {
        const outcome = await o.scorer.score({ file: join(o.imagesDir, r.file), where: `instance ${uidTag(uid)}`, keypoints: used, clinical: modelClinical, heatmap: path });
        if (outcome.type !== 'scored') return undefined;
      }
      return new Uint8Array(await readFile(path));
    },
    correctKeypoints: async (uid, keypoints, by) => {
      if ((await row(uid)) === undefined) throw new InputError(`no instance with that SOP Instance UID`);
      const revision = await o.db.setCorrection(uid, checkKeypoints(keypoints), checkBy(by), new Date().toISOString());
      o.loop.wake();
      return changed(uid, revision);
    },
    setClinical: async (uid, values, by) => {
      const r = await row(uid);
      if (r === undefined) throw new InputError(`no instance with that SOP Instance UID`);
      if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new InputError('values: an object of clinical values');
      const clean: Record<string, string | number> = { ...(JSON.parse(r.set_clinical) as Record<string, string | number>) };
      for (const [k, v] of Object.entries(values)) {
        if (!/^[a-z_][a-z0-9_]{0,63}$/.test(k)) throw new InputError(`values: "${k.slice(0, 64)}" is not a clinical column name`);
        if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new InputError(`values.${k}: a number or a short text`);
        if (typeof v === 'string' && v.length > 64) throw new InputError(`values.${k}: at most 64 characters`);
        clean[k] = v;
      }
      const given = Object.fromEntries(Object.keys(values).map((k) => [k, clean[k]]));
      const revision = await o.db.setClinical(uid, clean, checkBy(by), new Date().toISOString(), given);
      o.loop.wake();
      return changed(uid, revision);
    },
  };
}
