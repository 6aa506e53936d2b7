/**
 * Scores a new site's radiographs with a study's image models, each through the scoring core that
 * `predict --image`, `score` and `serve` use (models/image/radiograph-scorer.ts: the model folder's own
 * detector, preprocessing and network), but reading each radiograph and finding its keypoints once for
 * all models that share a detector (the detector's set, flags included, is handed to each model's core,
 * which refuses a flagged set as it would its own).
 * A radiograph that a model refuses (not a lateral lumbar radiograph, flagged keypoints) is left out
 * of every model's validation, so that all models are judged on the same patients; the reasons are
 * counted, never tied to a patient.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRadiograph } from '../../imaging/index.js';
import { loadLandmarkModel } from '../../landmarks/model.js';
import type { LandmarkModel } from '../../landmarks/index.js';
import { keypointModelPath, parseImageModelJson } from '../../models/image/folder.js';
import { RadiographScorer } from '../../models/image/radiograph-scorer.js';
import type { KeypointSet } from '../../models/image/score-radiograph.js';
import type { ImageModel } from '../../models/image/model.js';
import { cohortFilePath } from '../../util/cohort-format.js';
import { readModelJson } from '../../models/model-json.js';
import { InputError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import type { CohortRow } from '../cohort.js';
import { inSubgroup } from '../design.js';
import type { Subgroup } from '../../report/results.js';

export interface ImageModelRef {
  key: string;
  dir: string;
  subgroup: Subgroup;
}

export interface ImageScores {
  /** Per model key: cohort line -> risk. */
  risk: Map<string, Map<number, number>>;
  /** Per model key: the loaded model (its baseline gives S(t)); disposed by the caller. */
  models: Map<string, ImageModel>;
  /** Lines left out, with the reason (counted in the report, never listed). */
  refused: Map<number, string>;
}

/** A detector is identified by its weights, so that model folders carrying the same one share its keypoints. */
function detectorId(folder: string): string {
  return createHash('sha256').update(readFileSync(join(folder, 'weights.safetensors'))).digest('hex');
}

/** The cohort row's clinical values by cohort.csv column name, as the image models read them. */
function clinicalOf(row: CohortRow): Record<string, number | string> {
  return { age: row.age, sex: row.female === 1 ? 'F' : 'M', bmi: row.bmi, glucocorticoid: row.glucocorticoid, secondary_osteoporosis: row.secondaryOsteoporosis };
}

export async function scoreImages(refs: ImageModelRef[], rows: CohortRow[], cohortDir: string): Promise<ImageScores> {
  const scorers = new Map<string, RadiographScorer>();
  const detectors = new Map<string, LandmarkModel>();
  const detectorOf = new Map<string, string>();
  const risk = new Map<string, Map<number, number>>();
  const refused = new Map<number, string>();
  try {
    for (const ref of refs) {
      const json = parseImageModelJson(ref.dir, readModelJson(ref.dir).json);
      const folder = keypointModelPath(ref.dir, json);
      if (folder === null) throw new InputError(`${join(ref.dir, 'model.json')}: the image model carries no keypoint detector, so it cannot read a new site's radiographs`);
      const id = detectorId(folder);
      if (!detectors.has(id)) detectors.set(id, await loadLandmarkModel(folder));
      detectorOf.set(ref.key, id);
      scorers.set(ref.key, await RadiographScorer.fromJson(ref.dir, json, { detector: false }));
      risk.set(ref.key, new Map());
    }
    let done = 0;
    for (const row of rows) {
      if (row.image === null) throw new InputError(`cohort file line ${row.line}: no radiograph, which the image models need`);
      const file = cohortFilePath(cohortDir, row.image);
      const image = await readRadiograph(file);
      const keypoints = new Map<string, KeypointSet>();
      for (const ref of refs) {
        if (!inSubgroup(row, ref.subgroup)) continue;
        const id = detectorOf.get(ref.key)!;
        let set = keypoints.get(id);
        if (!set) {
          set = detectors.get(id)!.predict([image])[0];
          keypoints.set(id, set);
        }
        const outcome = await scorers.get(ref.key)!.score({ where: `cohort file line ${row.line}`, image, keypoints: set, clinical: clinicalOf(row) });
        if (outcome.status === 'failed') throw new InputError(outcome.reason);
        if (outcome.status === 'flagged') {
          refused.set(row.line, outcome.flags.join('; '));
          break;
        }
        risk.get(ref.key)!.set(row.line, outcome.risk);
      }
      if (++done % 100 === 0) log(`validate: ${done}/${rows.length} radiographs scored`);
    }
    // The models stay loaded for the caller (their baselines give S(t)); the detectors are done.
    return { risk, models: new Map([...scorers].map(([key, scorer]) => [key, scorer.model])), refused };
  } catch (error) {
    for (const s of scorers.values()) s.dispose();
    throw error;
  } finally {
    for (const d of detectors.values()) d.dispose();
  }
}
