/** The external-validation reference (validation-references.R): a lung Cox model carried to other rows. */
import { readFileSync } from 'node:fs';
import { fixture, type Json } from './fixtures.js';

export const validation: Json = JSON.parse(readFileSync(fixture('validation-references.json'), 'utf8'));

/** The new site's predicted risks at the horizon, 1 - S_i(t), as R computed them. */
export function validationRisk(): Float64Array {
  return Float64Array.from(validation.surv as number[], (s) => 1 - s);
}
