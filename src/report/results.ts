/**
 * The shape of OUT/results.json: the contract between the study, which fills it, and the report,
 * which draws it (report.html is a pure function of results.json). It lives beside the report so that
 * the report depends on nothing of the study: study/ imports report/, never the other way. CLI.md
 * fixes the core ({"test": {"models": [...]}, "variants", "truth"}); the rest (Table 1, cohort flow,
 * comparisons, the curves behind the figures) is what the report is drawn from.
 */
import type { ComputeRecord } from '../torch/compute-mode.js';
export type Method = 'coxph' | 'deepsurv' | 'deepsurv_image' | 'deepsurv_image_only' | 'frax';
export type Subgroup = 'all' | 'women';
export type ClinicalModel = 1 | 2 | 3;

export interface ModelResult {
  /** Unique within the study, e.g. "coxph_m3_all"; also the predictions column name. */
  key: string;
  method: Method;
  clinical_model: ClinicalModel | null;
  subgroup: Subgroup;
  covariates: string[];
  n: number;
  events: number;
  harrell: number;
  /** Infinitesimal-jackknife standard error (survival::concordance's). */
  harrell_se: number;
  /** Percentile bootstrap over test patients. */
  harrell_ci95: [number, number];
  uno: number;
  uno_ci95: [number, number];
  /** Cumulative/dynamic AUC at each horizon (years, as strings); null where no case or control exists. */
  auc: Record<string, number | null>;
  /** IPCW Brier score at each horizon; null where the model gives no survival probability. */
  brier: Record<string, number | null>;
  /** Where the test-split scores are, so that any C-index here can be recomputed. */
  predictions: { file: string; column: string };
  /** Apparent (training split) Harrell's C of the same model, as the paper's Figure 3. */
  train_harrell: number | null;
  train_harrell_ci95: [number, number] | null;
}

export interface Comparison {
  subgroup: Subgroup;
  model: string;
  reference: string;
  /** C(model) - C(reference) on the same test patients. */
  difference: number;
  ci95: [number, number];
  p: number;
  method: string;
}

export interface Table1Row {
  label: string;
  kind: 'continuous' | 'binary';
  /** Per group, "60.5 ± 6.2" or "1,068 (75.4)". */
  cells: Record<string, string>;
  /** Per group, the numbers behind the cell: mean/sd or count/percent, n available. */
  values: Record<string, { mean?: number; sd?: number; count?: number; percent?: number; n: number }>;
  p: number | null;
  test: string;
}

export interface Table1Result {
  groups: { key: string; label: string; n: number }[];
  rows: Table1Row[];
}

export interface KmCurve {
  group: string;
  n: number;
  events: number;
  /** Step function: survival just after each time, starting with (0, 1). */
  time: number[];
  surv: number[];
  lower: number[];
  upper: number[];
}

export interface KmFigure {
  model: string;
  label: string;
  subgroup: Subgroup;
  curves: KmCurve[];
  /** Numbers at risk at each tick, per curve (same order as curves). */
  at_risk: { times: number[]; counts: number[][] };
  logrank_p: number | null;
}

export interface CalibrationGroup {
  predicted: number;
  observed: number;
  lower: number;
  upper: number;
  n: number;
}

export interface CalibrationFigure {
  model: string;
  label: string;
  subgroup: Subgroup;
  horizon: number;
  groups: CalibrationGroup[];
}

/** The C-index of the three reference scores of a synthetic cohort on one subgroup's test rows. */
export interface ReferenceLines {
  /** The true log hazard ratio: the best any model can do. */
  oracle_harrell: number;
  /** The best score from the study's clinical covariates (clinical model 3). */
  clinical_only_harrell: number;
  /** The best score from every CSV column, bmd_tscore and frax_mof included. */
  all_columns_harrell: number;
  n: number;
  events: number;
}

/** A model's share of the oracle's gain over the clinical line: (C - C_clinical) / (C_oracle - C_clinical). */
export interface GainShare {
  /** A model key, or all_columns_reference_<subgroup> for the all-columns line itself. */
  key: string;
  subgroup: Subgroup;
  share: number;
  /** Percentile bootstrap over test patients, the three C-indices recomputed on each resample. */
  ci95: [number, number];
  /** Resamples without events or with a non-positive oracle gap, which give no share. */
  bootstrap_dropped: number;
}

/**
 * CLI.md's "truth": the three lines on the whole analysed test split (the "all" subgroup), the same
 * per subgroup, and the gain shares.
 */
export interface TruthResult {
  oracle_harrell: number;
  clinical_only_harrell: number;
  all_columns_harrell: number;
  by_subgroup: Partial<Record<Subgroup, ReferenceLines>>;
  gain_share: GainShare[];
  definitions: Record<string, string>;
}

/** One preprocessing variant, judged on pooled out-of-fold scores inside the training split. */
export interface VariantResult {
  /** full-l1l5 | full-l1l4 | patches */
  variant: string;
  masks: boolean;
  auroc: number;
  /** DeLong. */
  auroc_ci95: [number, number];
  /** At `threshold` (a patient is called positive when score >= threshold). */
  sensitivity: number;
  specificity: number;
  ppv: number;
  npv: number;
  threshold: number;
  n: number;
  positives: number;
  /** The empirical ROC curve, from (0, 0) to (1, 1). */
  roc: { fpr: number[]; tpr: number[] };
  /** The variant used from then on (highest cross-validated AUROC). */
  chosen: boolean;
}

export interface VariantSelection {
  folds: number;
  /** What the AUROC separates, e.g. "fracture during follow-up (1) or not (0)". */
  outcome: string;
  threshold_rule: string;
  /** The model fitted in each fold. */
  model: string;
  chosen: { variant: string; masks: boolean };
}

export interface LandmarkResult {
  /** OKS average precision over thresholds 0.50:0.05:0.95 (COCO). */
  ap: number;
  ap50?: number;
  ap75?: number;
  /** Mean radial error, millimetres. */
  mre_mm: number;
  sdr_2mm?: number;
  sdr_4mm?: number;
  per_vertebra?: Record<string, { mre_mm: number }>;
  /** How the detector was judged, e.g. "held-out fold (20%) of the annotated training split". */
  evaluation: string;
  images: number;
  /**
   * Where each analysed radiograph's keypoints came from: the annotated training radiographs (the
   * detector learnt from them), and the detector for the unannotated training radiographs and the
   * whole test split, whose annotations are never used (counted in unused_test_annotations).
   */
  keypoint_sources?: KeypointSources;
}

export interface KeypointSources {
  annotated_train: number;
  predicted_train: number;
  predicted_test: number;
  unused_test_annotations: number;
}

/** A picture the report shows: a PNG under OUT (path relative to OUT), with its size in pixels. */
export interface GalleryImage {
  file: string;
  width: number;
  height: number;
}

export interface GradcamTile extends GalleryImage {
  event: 0 | 1;
  /** Years to the fracture, or to the end of follow-up. */
  time: number;
  /** The model's risk as a percentile among the test patients (0-100). */
  risk_percentile: number;
}

export interface GradcamGallery {
  model: string;
  variant: string;
  /** How the tiles were picked, in words. */
  selection: string;
  tiles: GradcamTile[];
}

export interface KeypointTile extends GalleryImage {
  /** L1..L5 as x1, y1, ..., x5, y5 in this picture's pixels; truth is null for an unannotated radiograph. */
  predicted: number[];
  truth: number[] | null;
  /** Mean radial error against the annotation, millimetres (null without one). */
  mre_mm: number | null;
  flags: string[];
}

export interface KeypointGallery {
  selection: string;
  tiles: KeypointTile[];
}

export interface Galleries {
  gradcam?: GradcamGallery[];
  keypoints?: KeypointGallery;
}

export interface Exclusion {
  reason: string;
  n: number;
}

export interface StudyResults {
  tool: { name: 'spinesurv'; version: string };
  created_by: string;
  seed: number;
  /** How the engine computed (src/torch/compute-mode.ts): the mode and what decides the last bits. */
  compute?: Omit<ComputeRecord, 'threads'>;
  settings: Record<string, unknown>;
  cohort: {
    rows_read: number;
    excluded: Exclusion[];
    analysed: number;
    train: { n: number; events: number; women: number; women_events: number };
    test: { n: number; events: number; women: number; women_events: number };
    frax_source: string | null;
    time_unit: string;
  };
  table1: Table1Result;
  test: {
    models: ModelResult[];
    comparisons: Comparison[];
    km: KmFigure[];
    calibration: CalibrationFigure[];
  };
  /** The preprocessing variants compared by cross-validation inside the training split (the paper's Table 2). */
  variants: VariantResult[];
  variant_selection?: VariantSelection;
  /** The keypoint detector, judged on annotated training-split radiographs it did not learn from. */
  landmarks?: LandmarkResult;
  galleries?: Galleries;
  truth?: TruthResult;
  notes: string[];
}

export const METHOD_LABELS: Record<Method, string> = {
  coxph: 'CoxPH',
  deepsurv: 'DeepSurv without images',
  deepsurv_image: 'DeepSurv with images',
  deepsurv_image_only: 'DeepSurv image only',
  frax: 'FRAX',
};

export function modelLabel(m: Pick<ModelResult, 'method' | 'clinical_model'>): string {
  return m.clinical_model === null ? METHOD_LABELS[m.method] : `${METHOD_LABELS[m.method]}, model ${m.clinical_model}`;
}
