/**
 * `spinesurv synth` as a library call: draws the population, renders every radiograph (in worker
 * threads when asked), and writes the cohort folder atomically:
 *   cohort.csv, images/<id>.dcm, masks/<id>.png, keypoints.json, truth.json, manifest.json.
 * Same seed, size and patient count: the same bytes, whatever the number of workers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { writeDirAtomic, writeFileAtomic } from '../util/atomic-write.js';
import { toolVersion } from '../util/tool-version.js';
import { DEFAULT_PARAMS, type GeneratorParams } from './params.js';
import type { SitePreset } from './sites.js';
import { drawPopulation, type SynthPatient } from './population.js';
import { renderAll } from './render-pool.js';
import { imagePath, type RenderJob, type RenderedPatient } from './render-job.js';
import { cocoKeypoints } from './keypoints.js';
import { buildTruth, concordanceSummary, type SplitConcordance } from './truth.js';
import { cohortCsv } from './cohort-csv.js';
import { imageShape } from './render/radiograph.js';

export interface SynthOptions {
  out: string;
  patients: number;
  size: number;
  seed: number;
  /** Worker threads for rendering; 0 = main thread. */
  workers: number;
  /** false: only cohort.csv, truth.json and manifest.json (no images, masks or keypoints). */
  images?: boolean;
  params?: GeneratorParams;
  /** Another synthetic site (sites.ts): its population change applies to params, its acquisition to the images. */
  site?: SitePreset;
  onProgress?: (done: number, total: number) => void;
  /** Replace `out` when it is an earlier spinesurv output (output-folder.ts). */
  force?: boolean;
}

export interface SynthSummary {
  out: string;
  patients: number;
  train: number;
  test: number;
  events: number;
  event_rate: number;
  mean_followup_years: number;
  image: { rows: number; columns: number; pixel_spacing_mm: [number, number] } | null;
  test_concordance: SplitConcordance;
}

export const DEFAULT_SEED = 1;
/**
 * Bumped whenever a change to the generator changes its output for the same settings, so that a
 * cached cohort (e.g. the one `spinesurv demo` reuses) can tell that it is stale.
 */
export const GENERATOR_REVISION = 3;
export const DEFAULT_PATIENTS = 1595;
export const DEFAULT_SIZE = 1024;

function siteRecord(site: SitePreset): Record<string, unknown> {
  return { name: site.name, kind: site.kind, description: site.description, ...(site.acquisition ? { acquisition: site.acquisition } : {}) };
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function generateCohort(options: SynthOptions): Promise<SynthSummary> {
  const site = options.site;
  const params = site?.population ? site.population(options.params ?? DEFAULT_PARAMS) : options.params ?? DEFAULT_PARAMS;
  const acquisition = site?.acquisition;
  // A coarser detector is a smaller matrix over the same field.
  const size = acquisition?.sizeScale ? Math.max(64, Math.round(options.size * acquisition.sizeScale)) : options.size;
  const withImages = options.images !== false;
  const version = toolVersion();
  const population: SynthPatient[] = drawPopulation(options.seed, options.patients, params);
  let rendered: RenderedPatient[] | null = null;
  let keypoints: string | null = null;

  await writeDirAtomic(options.out, async (dir) => {
    if (withImages) {
      mkdirSync(join(dir, 'images'), { recursive: true });
      mkdirSync(join(dir, 'masks'), { recursive: true });
      const jobs: RenderJob[] = population.map((p) => ({
        patient: { index: p.index, patientId: p.patientId, sex: p.sex, age: p.age, bmi: p.bmi, latentTScore: p.latentTScore, deformity: p.deformity },
        size,
        seed: options.seed,
        dir,
        ...(acquisition ? { site: acquisition } : {}),
      }));
      rendered = await renderAll(jobs, {
        seed: options.seed,
        size,
        fieldMm: acquisition?.fieldMm,
        workers: options.workers,
        onDone: (done) => options.onProgress?.(done, population.length),
      });
      const coco = cocoKeypoints(
        population.map((p, k) => ({ patientId: p.patientId, file: imagePath(p.patientId), rendered: (rendered as RenderedPatient[])[k] })),
        version,
      );
      keypoints = JSON.stringify(coco) + '\n';
      writeFileAtomic(join(dir, 'keypoints.json'), keypoints);
    }
    const csv = cohortCsv(population, withImages);
    writeFileAtomic(join(dir, 'cohort.csv'), csv);
    const truthObject = buildTruth(population, rendered, params, { seed: options.seed, patients: options.patients, size, version });
    // Recorded only for another site, so the default cohort's bytes stay as they were.
    const truth = JSON.stringify(site ? { ...truthObject, site: siteRecord(site) } : truthObject, null, 1) + '\n';
    writeFileAtomic(join(dir, 'truth.json'), truth);
    const manifest = {
      tool: { name: 'spinesurv', version },
      command: 'synth',
      generator: { revision: GENERATOR_REVISION, params_sha256: sha256(JSON.stringify(params)) },
      parameters: {
        patients: options.patients, size: options.size, seed: options.seed, images: withImages,
        // Recorded only when it is not the study's 179 of 1,595, so the default cohort's bytes stay as they were.
        ...(JSON.stringify(params.split) !== JSON.stringify(DEFAULT_PARAMS.split) ? { split: params.split } : {}),
        ...(site ? { site: siteRecord(site), size_requested: options.size } : {}),
      },
      inputs: {},
      outputs: {
        'cohort.csv': sha256(csv),
        'truth.json': sha256(truth),
        ...(keypoints !== null ? { 'keypoints.json': sha256(keypoints) } : {}),
      },
      images: withImages ? { count: population.length, folder: 'images', masks: 'masks', format: `DICOM DX, 12-bit, ${acquisition?.monochrome1 ? 'MONOCHROME1' : 'MONOCHROME2'}` } : null,
    };
    writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  }, { force: options.force, createdBy: 'spinesurv synth' });

  const events = population.filter((p) => p.outcome.fracture === 1).length;
  const shape = imageShape(size, acquisition?.fieldMm);
  return {
    out: options.out,
    patients: population.length,
    train: population.filter((p) => p.split === 'train').length,
    test: population.filter((p) => p.split === 'test').length,
    events,
    event_rate: population.length === 0 ? 0 : events / population.length,
    mean_followup_years: population.reduce((s, p) => s + p.outcome.followupYears, 0) / Math.max(1, population.length),
    image: withImages ? { rows: shape.rows, columns: shape.columns, pixel_spacing_mm: [shape.pixelMm, shape.pixelMm] } : null,
    test_concordance: concordanceSummary(population).test,
  };
}
