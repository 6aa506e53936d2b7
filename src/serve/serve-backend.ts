/**
 * The ViewerBackend (backend.ts) over the server's database, stored files and scoring loop: what the
 * web viewer's routes and /api/results read, and the two changes a clinician makes, each of which
 * re-scores the instance through the same loop and resolves when that score is in the database.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Radiograph } from '../imaging/index.js';
import type { RadiographDecoder } from './decode-client.js';
import { clinicalValue } from '../models/image/clinical.js';
import { InputError } from '../util/errors.js';
import type { ChangeRecord, ServedImage, ViewerBackend } from './backend.js';
import { checkClinical, checkCorrection } from './change-checks.js';
import { effectiveClinical, keypointsSourceOf, type ScoringLoop } from './scoring-loop.js';
import type { ScorerClient } from './scorer-client.js';
import { instanceOutcome, type ChangeRow, type InstanceRow, type ServeDb } from './serve-db.js';
import { uidTag } from './uid.js';

export interface BackendOptions {
  db: ServeDb;
  loop: ScoringLoop;
  scorer: ScorerClient;
  imagesDir: string;
  heatmapsDir: string;
  covariates: string[];
  showPhi: boolean;
  /** How long a change waits for its re-score before StillScoring (the change stays and is scored later). */
  changeWaitMs: number;
  /** Reads the stored radiographs off the main thread (a deflated or large one costs the HTTP side nothing). */
  decoder: RadiographDecoder;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function changeRecord(c: ChangeRow): ChangeRecord {
  return { kind: c.kind, value: JSON.parse(c.value) as ChangeRecord['value'], by: c.changed_by, at: c.changed_at };
}

/** An instance as the viewer and /api/results see it; `changes` are its rows of serve_changes, oldest first. */
export function servedImage(row: InstanceRow, showPhi: boolean, changes: ChangeRow[]): ServedImage {
  const corrected = parse<number[]>(row.corrected_keypoints);
  const image: ServedImage = {
    sopInstanceUid: row.sop_instance_uid,
    studyInstanceUid: row.study_instance_uid,
    seriesInstanceUid: row.series_instance_uid,
    status: row.status,
    outcome: instanceOutcome(row),
    reason: row.reason,
    predictedKeypoints: parse<number[]>(row.predicted_keypoints),
    correctedKeypoints: corrected === null ? null : { keypoints: corrected, by: row.corrected_by ?? '', at: row.corrected_at ?? '' },
    changes: changes.map(changeRecord),
    clinical: effectiveClinical(row),
    missingClinical: JSON.parse(row.missing_clinical) as string[],
    receivedAt: row.received_at,
  };
  if (showPhi) image.phi = { patientName: row.patient_name, patientId: row.patient_id };
  return image;
}

/** A PUT that waited longer than changeWaitMs for its re-score: 503, the change is kept and scored later. */
export class StillScoring extends Error {
  override name = 'StillScoring';
  readonly statusCode = 503;
}

export function makeBackend(o: BackendOptions): ViewerBackend {
  const row = async (uid: string): Promise<InstanceRow | undefined> => o.db.get(uid);
  const served = async (uid: string): Promise<ServedImage | undefined> => {
    const r = await row(uid);
    return r === undefined ? undefined : servedImage(r, o.showPhi, await o.db.changes(uid));
  };
  const changed = async (uid: string, revision: number): Promise<ServedImage> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StillScoring(`the change is saved; its re-score did not finish within ${o.changeWaitMs / 1000} s: GET /api/results/UID shows it when done`)), o.changeWaitMs);
    });
    try {
      await Promise.race([o.loop.waitFor(uid, revision), late]);
    } finally {
      clearTimeout(timer);
    }
    return (await served(uid))!;
  };
  // Every change is checked here, by the same code the viewer's routes run first (change-checks.ts):
  // whichever route (or caller) it comes from, the same things are refused with the same words.
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
      return o.decoder.radiograph(`instance ${uidTag(uid)}`, join(o.imagesDir, r.file));
    },
    radiographPixels: async (uid) => {
      const r = await row(uid);
      if (r === undefined) return undefined;
      return o.decoder.pixels(`instance ${uidTag(uid)}`, join(o.imagesDir, r.file));
    },
    radiographPng: async (uid, window) => {
      const r = await row(uid);
      if (r === undefined) return undefined;
      return o.decoder.png(`instance ${uidTag(uid)}`, join(o.imagesDir, r.file), window);
    },
    heatmapPng: async (uid) => {
      const r = await row(uid);
      const current = r === undefined ? null : instanceOutcome(r);
      if (r === undefined || current?.status !== 'scored') return undefined;
      const { source } = keypointsSourceOf(r);
      const clinical = effectiveClinical(r);
      const modelClinical: Record<string, string | number> = {};
      for (const c of o.covariates) modelClinical[c] = clinical[c];
      // One PNG per (image, model, keypoints, clinical values): made once, on first request.
      const key = createHash('sha256').update(JSON.stringify([r.file, current.modelVersion, source, modelClinical])).digest('hex').slice(0, 32);
      const path = join(o.heatmapsDir, `${key}.png`);
      if (!existsSync(path)) {
        const outcome = await o.scorer.score({ file: join(o.imagesDir, r.file), where: `instance ${uidTag(uid)}`, keypoints: current.keypoints, clinical: modelClinical, heatmap: path });
        if (outcome.status !== 'scored') return undefined;
      }
      return new Uint8Array(await readFile(path));
    },
    correctKeypoints: async (uid, keypoints, by) => {
      const r = await row(uid);
      if (r === undefined) throw new InputError(`no instance with that SOP Instance UID`);
      const image = await o.decoder.radiograph(`instance ${uidTag(uid)}`, join(o.imagesDir, r.file));
      const change = checkCorrection({ keypoints, by }, image.rows, image.columns);
      const revision = await o.db.setCorrection(uid, change.keypoints, change.by, new Date().toISOString());
      o.loop.wake();
      return changed(uid, revision);
    },
    setClinical: async (uid, values, by) => {
      const r = await row(uid);
      if (r === undefined) throw new InputError(`no instance with that SOP Instance UID`);
      const current = servedImage(r, false, []);
      const change = checkClinical({ values, by }, [...new Set([...Object.keys(current.clinical), ...current.missingClinical])]);
      // Each value as the model will read it (sex F or M, binary 0 or 1, numbers), so a value it cannot
      // use is refused here with a reason instead of being stored and failing the score later.
      for (const [column, value] of Object.entries(change.values)) clinicalValue(column, value, `"values"."${column}"`);
      const merged = { ...(JSON.parse(r.set_clinical) as Record<string, string | number>), ...change.values };
      const revision = await o.db.setClinical(uid, merged, change.by, new Date().toISOString(), change.values);
      o.loop.wake();
      return changed(uid, revision);
    },
  };
}
