/**
 * Whether a cohort folder already holds exactly what `generateCohort` would make now, so that
 * `spinesurv demo` can skip minutes of rendering on a second run. Compared: the tool version, the
 * generator's code revision and coefficients, the settings, and the hashes of the files the study
 * reads (so a hand-edited cohort.csv or truth.json is never mistaken for the generated one).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolVersion } from '../util/tool-version.js';
import { GENERATOR_REVISION, sha256 } from './cohort.js';
import { DEFAULT_PARAMS, type GeneratorParams } from './params.js';

export interface CohortSettings {
  patients: number;
  size: number;
  seed: number;
  params?: GeneratorParams;
}

interface SynthManifest {
  tool?: { version?: string };
  generator?: { revision?: number; params_sha256?: string };
  parameters?: { patients?: number; size?: number; seed?: number; images?: boolean };
  outputs?: Record<string, string>;
}

export function isReusableCohort(dir: string, wanted: CohortSettings): boolean {
  let m: SynthManifest;
  try {
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as SynthManifest;
  } catch {
    return false;
  }
  const p = m.parameters ?? {};
  const sameFile = (name: string): boolean =>
    existsSync(join(dir, name)) && m.outputs?.[name] === sha256(readFileSync(join(dir, name)));
  return (
    m.tool?.version === toolVersion() &&
    m.generator?.revision === GENERATOR_REVISION &&
    m.generator?.params_sha256 === sha256(JSON.stringify(wanted.params ?? DEFAULT_PARAMS)) &&
    p.patients === wanted.patients &&
    p.size === wanted.size &&
    p.seed === wanted.seed &&
    p.images === true &&
    sameFile('cohort.csv') &&
    sameFile('truth.json') &&
    existsSync(join(dir, 'images'))
  );
}
