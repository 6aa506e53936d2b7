/**
 * Writes a model updated on a new site as a model folder of its own (VAL/models/<key>_recal_<mode>),
 * which `spinesurv predict` uses as it uses the original: the original folder is copied and only its
 * model.json changes. A Cox model takes the slope into its coefficients; a network keeps its weights
 * and records the slope as "risk_scale", which its loader multiplies the network's output by. Either way
 * the baseline hazard is the one refitted on the new site. The original folder is only read.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { OUTPUT_MARKER } from '../../util/output-folder.js';
import type { Update } from './recalibrate.js';

export async function writeUpdatedModel(source: string, target: string, update: Update, version: string): Promise<void> {
  cpSync(source, target, { recursive: true, filter: (path) => !path.endsWith(OUTPUT_MARKER) });
  const json = JSON.parse(readFileSync(join(source, 'model.json'), 'utf8')) as Record<string, unknown>;
  json.baseline = { time: update.baseline.time, cumhaz: update.baseline.cumhaz };
  if (json.kind === 'coxph') json.coef = (json.coef as number[]).map((c) => c * update.slope);
  else if (update.slope !== 1) json.risk_scale = update.slope;
  json.recalibration = { mode: update.mode, slope: update.slope, by: `spinesurv ${version} validate`, data: "the new site's training split" };
  writeFileAtomic(join(target, 'model.json'), JSON.stringify(json, null, 2) + '\n');
}
