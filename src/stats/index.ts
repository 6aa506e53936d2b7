/** General statistics: distributions, tests, ROC/AUROC, thresholds, Table 1. */
export * from './distributions.js';
export { mean, variance, sd, median } from './descriptive.js';
export { tTest, studentTTest, welchTTest, type TTestResult } from './t-test.js';
export { oneWayAnova, type AnovaResult } from './anova.js';
export { chiSquareTest, type ChiSquareResult } from './chi-square.js';
export { fisherExact, type FisherResult } from './fisher-exact.js';
export { auroc, compareAuroc, type AurocResult, type DelongComparison } from './roc.js';
export { metricsAtThreshold, youdenThreshold, wilson, type ThresholdMetrics, type Proportion } from './thresholds.js';
export { table1, table1Cells, table1Markdown, type Table1, type Table1Input, type ContinuousRow, type CategoricalRow } from './table1.js';
