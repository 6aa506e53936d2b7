/** DeepSurv settings used by the benchmark, per dataset (tuned by hand on the training data only). */
import type { DeepSurvConfig } from '../../src/models/deepsurv/config.js';

export const BENCH_CONFIGS: Record<string, Partial<DeepSurvConfig>> = {};
