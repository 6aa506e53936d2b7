/** General statistics: distributions, tests, ROC/AUROC, thresholds, Table 1. */
export * from './distributions.js';
