/**
 * The shape of VAL/results.json (CLI.md "spinesurv validate"): the study's model entries, each judged
 * on the new site, with calibration, net benefit and the C-index it had at its development site.
 * report.html is drawn from this alone.
 */
import type { Exclusion, ModelResult, Subgroup } from './results.js';

export type Recalibration = 'intercept' | 'slope';

export interface CalibrationAt {
  /** Observed (1 - KM(t)) over expected (mean predicted risk), with a percentile bootstrap CI. */
  oe: number;
  oe_ci95: [number, number];
  observed: number;
  expected: number;
  /** Cox regression of the outcome on the model's linear predictor, with a percentile bootstrap CI. */
  slope: number;
  slope_ci95: [number, number];
}

export interface ValidationModelResult extends ModelResult {
  /** Percentile bootstrap CI of AUC(t) at each horizon. */
  auc_ci95: Record<string, [number, number] | null>;
  calibration: Record<string, CalibrationAt>;
  /** Decision curve at each horizon: the model, treat-all (treat-none is 0 throughout). */
  net_benefit: Record<string, { threshold: number; model: number; treat_all: number }[]>;
  /** The smoothed calibration curve at the calibration horizon. */
  calibration_curve: { horizon: number; predicted: number[]; observed: number[] };
  /** Harrell's C of the same model on its development site's test split (the study's). */
  development_harrell: number;
  /** C(new site) - C(development), bootstrap over both sites' patients independently. */
  development_difference: { difference: number; ci95: [number, number]; p: number };
  /** Set on models updated on the new site's training split. */
  recalibrated?: Recalibration;
  /** The update's fitted slope (1 for an intercept-only update). */
  recalibration_slope?: number;
}

export interface ValidationResults {
  tool: { name: 'spinesurv'; version: string };
  created_by: 'spinesurv validate';
  seed: number;
  study: { version: string; seed: number; created_by: string };
  settings: { horizons: number[]; calibration_horizon: number; bootstrap: number; recalibrate: Recalibration | null; thresholds: number[] };
  cohort: {
    rows_read: number;
    excluded: Exclusion[];
    /** Radiographs the image models refused, by reason; those patients are left out of every model. */
    refused: Exclusion[];
    /** Which rows were validated: every row, or the test split (with --recalibrate). */
    validated_split: 'all' | 'test';
    validated: Partial<Record<Subgroup, { n: number; events: number }>>;
    /** With --recalibrate: the rows the update was fitted on. */
    update: Partial<Record<Subgroup, { n: number; events: number }>> | null;
  };
  test: { models: ValidationModelResult[] };
  notes: string[];
}
