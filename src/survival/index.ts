/** Survival analysis: Cox regression, Kaplan-Meier, concordance, and time-dependent metrics. */
export { coxph, type CoxFit, type CoxInput, type CoxTies } from './cox/fit.js';
export { cumhazAt, type BaselineHazard } from './cox/baseline.js';
export { concordance, harrellC, unoC, type ConcordanceOptions, type ConcordanceResult, type TimeWeight } from './concordance.js';
