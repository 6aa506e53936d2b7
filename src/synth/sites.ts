/**
 * Synthetic sites (`spinesurv synth --site NAME`): the default cohort's hospital with one thing changed,
 * so that an external validation can say what a model loses to which change. Acquisition sites keep
 * the population, its truth and its outcomes exactly (the same patients for the same seed; use another
 * seed for other patients) and change how the radiograph is taken or stored; population sites keep the
 * acquisition and change who the patients are or how often they fracture. Every site writes truth.json
 * as the default cohort does, with the site recorded.
 */
import { InputError } from '../util/errors.js';
import type { GeneratorParams } from './params.js';

/** How a site's radiographs differ from the default acquisition (render/site-shift.ts applies them). */
export interface AcquisitionShift {
  /** Stored value v (0-1 of full scale) -> 0.5 + contrast * (v - 0.5) + brightness. */
  contrast?: number;
  brightness?: number;
  /** Extra Gaussian noise, as a share of full scale. */
  noiseSd?: number;
  /** Another vendor's processing: a logistic tone curve of this steepness (stronger mid-tone contrast, compressed extremes). */
  toneCurve?: number;
  /** Stored inverted (bone dark) and labelled MONOCHROME1, as some vendors do. */
  monochrome1?: boolean;
  /** Degrees added to every patient's positioning rotation. */
  rotationDeg?: number;
  /** The long side's field of view in mm (default 350): a wider field shows the spine smaller. */
  fieldMm?: number;
  /** The image matrix times this (coarser pixel spacing over the same field). */
  sizeScale?: number;
}

export interface SitePreset {
  name: string;
  kind: 'acquisition' | 'population';
  /** What changes, in words (docs/synthetic-cohort.md lists them). */
  description: string;
  acquisition?: AcquisitionShift;
  population?: (params: GeneratorParams) => GeneratorParams;
}

export const SITES: SitePreset[] = [
  { name: 'scanner-b', kind: 'acquisition', description: "another vendor: its processing curve, lower contrast and more noise (acquisition only)", acquisition: { toneCurve: 6, contrast: 0.8, noiseSd: 0.015 } },
  { name: 'exposure-b', kind: 'acquisition', description: 'under-exposed films: contrast x0.6 and darker by 10% of full scale', acquisition: { contrast: 0.6, brightness: -0.1 } },
  { name: 'noise-b', kind: 'acquisition', description: 'a noisier detector: Gaussian noise of 3% of full scale added', acquisition: { noiseSd: 0.03 } },
  { name: 'resolution-b', kind: 'acquisition', description: 'a coarser detector: the image matrix x0.6, so pixel spacing x1.67 over the same field', acquisition: { sizeScale: 0.6 } },
  { name: 'processing-b', kind: 'acquisition', description: "another vendor's processing curve: a logistic tone curve (steepness 8)", acquisition: { toneCurve: 8 } },
  { name: 'monochrome1-b', kind: 'acquisition', description: 'stored inverted and labelled MONOCHROME1 (the same picture once displayed)', acquisition: { monochrome1: true } },
  { name: 'rotation-b', kind: 'acquisition', description: 'positioning: every patient rotated a further 12 degrees', acquisition: { rotationDeg: 12 } },
  { name: 'fov-b', kind: 'acquisition', description: 'a wider field of view: 450 mm on the long side instead of 350 (the spine smaller in the picture)', acquisition: { fieldMm: 450 } },
  {
    name: 'population-b', kind: 'population', description: 'older, more men: age 66 +- 6 (50-75 kept), 55% women (acquisition unchanged)',
    population: (p) => ({ ...p, patients: { ...p.patients, ageMean: 66, ageSd: 6, femaleProbability: 0.55 } }),
  },
  {
    name: 'hazard-b', kind: 'population', description: 'a higher baseline hazard: the Weibull scale 85 -> 55 years (about 1.75 times the hazard), covariate effects unchanged',
    population: (p) => ({ ...p, hazard: { ...p.hazard, weibullScale: 55 } }),
  },
];

export function siteByName(name: string): SitePreset {
  const site = SITES.find((s) => s.name === name);
  if (!site) throw new InputError(`--site: no site "${name}" (sites: ${SITES.map((s) => s.name).join(', ')})`);
  return site;
}
