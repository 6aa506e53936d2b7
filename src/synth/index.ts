/** The synthetic cohort: library entry points (the CLI is src/cli/commands/synth.ts). */
export { generateCohort, DEFAULT_PATIENTS, DEFAULT_SEED, DEFAULT_SIZE, type SynthOptions, type SynthSummary } from './cohort.js';
export { drawPopulation, type SynthPatient } from './population.js';
export { DEFAULT_PARAMS, withTestFraction, type GeneratorParams } from './params.js';
export { renderRadiograph, imageShape, type Radiograph } from './render/radiograph.js';
export { makeTextureBank } from './render/texture.js';
export { streamRandom } from './streams.js';
export { COHORT_COLUMNS } from './cohort-csv.js';
export { isReusableCohort, type CohortSettings } from './reuse.js';
export { SITES, siteByName, type SitePreset, type AcquisitionShift } from './sites.js';
