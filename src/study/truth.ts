/** placeholder until synth's truth.json lands */
import type { Cohort } from './cohort.js';
import type { SurvivalSet } from './design.js';
import type { Subgroup, TruthResult } from './results.js';
export interface Truth { summarise(sets: Map<Subgroup, { train: SurvivalSet; test: SurvivalSet }>): TruthResult }
export function readTruth(_dir: string, _cohort: Cohort): Truth | undefined { return undefined; }
