/** Survival analysis: Cox regression, Kaplan-Meier, log-rank, concordance, and time-dependent metrics. */
export { coxph, type CoxFit, type CoxInput, type CoxTies } from './cox/fit.js';
export { cumhazAt, type CoxBaselineCurve } from './cox/baseline.js';
export { breslowBaseline, survivalAt, type BaselineHazard } from './risk-score-baseline.js';
export { saveCoxModel, loadCoxModel, coxModelJson, type CoxModelFile, type LoadedCoxModel, type SaveCoxOptions } from './cox/model-file.js';
export { concordance, concordances, concordanceOfRows, harrellC, unoC, type ConcordanceOptions, type TimeWeighting, type ConcordanceResult, type ConcordanceCounts, type TimeWeight } from './concordance.js';
export { compareConcordance, type ConcordanceComparison, type CompareOptions } from './compare-concordance.js';
export { kaplanMeier, type KaplanMeier, type KaplanMeierOptions } from './kaplan-meier.js';
export { logRank, type LogRankResult } from './log-rank.js';
export { censoringSurvival, type CensoringSurvival } from './ipcw.js';
export { timeDependentAuc } from './time-dependent-auc.js';
export { brierScore, integratedBrier } from './brier.js';
export { calibrationAtHorizon, type Calibration, type CalibrationGroup } from './calibration.js';
export { bootstrapCi, quantileSorted, take, type BootstrapOptions, type BootstrapResult } from './bootstrap.js';
export { checkSurvival } from './validate.js';
export { observedExpected, type ObservedExpected } from './observed-expected.js';
export { calibrationSlope, logCumulativeHazard, type CalibrationSlope } from './calibration-slope.js';
export { calibrationCurve, type CalibrationCurvePoint } from './calibration-curve.js';
export { netBenefit, type NetBenefitPoint } from './net-benefit.js';
