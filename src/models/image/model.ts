/**
 * A fitted image DeepSurv model: the network, the clinical standardisation, the Breslow baseline of
 * its risk, the training risks (for a new patient's percentile), the training ranges of the
 * covariates, and the preprocessing that made its input. `score` takes preprocessed images (uint8
 * variant tensors) and clinical rows and returns log hazard ratios.
 */
import type { Tensor } from '../../torch/index.js';
import { applyStandardization, type Standardization } from '../standardize.js';
import { survivalAt, type BaselineHazard } from '../../survival/risk-score-baseline.js';
import { countAtMost, countBelow } from '../../util/sorted-search.js';
import { InputError } from '../../util/errors.js';
import { clinicalMatrix, rangeWarnings, type ClinicalValues, type TrainingRanges } from './clinical.js';
import { imagesAtSize } from './image-batch.js';
import { networkRisks } from './train.js';
import type { RiskNetwork } from './network.js';
import type { FusionRecord, MemberRecord } from './cross-fit.js';
import type { ImageEpochLog } from './train.js';
import type { ImageModelConfig } from './config.js';
import type { PreprocessParams } from '../../preprocess/index.js';

export interface ImageInputSpec {
  variant: string;
  masks: boolean;
  channels: number;
  /** Side of the variant's images (resized to config.inputSize inside the model). */
  size: number;
}

export interface ImageTrainingRecord {
  seed: number;
  n: number;
  nevent: number;
  trainRows: number;
  validationRows: number;
  epochsRun: number;
  bestEpoch: number;
  bestValC: number;
  /** Validation partial likelihood (mean per event) of the best epoch. */
  bestValLoss: number;
  /** The clinical-only Cox model was kept (the image did not beat it on validation; bestEpoch 0). */
  clinicalFallback: boolean;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
  seconds: number;
  init: string | null;
  log: ImageEpochLog[];
  /** The cross-fitted ensemble (config.ensemble >= 2): what tells a stable run from a lucky one. */
  ensemble?: EnsembleRecord;
}

export interface EnsembleRecord {
  members: Omit<MemberRecord, 'log'>[];
  /** Harrell's C of each member on its held-out fold: mean and SD over the members. */
  memberHeldOutC: { mean: number; sd: number };
  /** Harrell's C of the pooled out-of-fold image score on the training rows. */
  imageOutOfFoldC: number;
  fusion: FusionRecord;
}

export class ImageModel {
  constructor(
    readonly network: RiskNetwork,
    readonly config: ImageModelConfig,
    /** cohort.csv columns of the clinical covariates, in the network's order ([] = image only). */
    readonly covariates: string[],
    readonly standardization: Standardization,
    readonly baseline: BaselineHazard,
    /** Training patients' risks, ascending. */
    readonly trainingRisks: Float64Array,
    readonly ranges: TrainingRanges,
    readonly input: ImageInputSpec,
    /** The preprocessing the input was made with (the variant's manifest); predict re-applies it. */
    readonly preprocessing: PreprocessParams,
    readonly training: ImageTrainingRecord | null,
    /** The network's output times this (model.json "risk_scale": a slope update at another site, `spinesurv validate --recalibrate slope`). */
    readonly riskScale = 1,
  ) {}

  get mode(): 'image+clinical' | 'image-only' {
    return this.covariates.length === 0 ? 'image-only' : 'image+clinical';
  }

  /** Raw clinical rows -> standardised matrix (errors name the row and field). */
  standardizedClinical(rows: ClinicalValues[], where: (i: number) => string = (i) => `row ${i + 1}`): Float64Array | null {
    if (this.covariates.length === 0) return null;
    const x = clinicalMatrix(rows, this.covariates, where);
    return applyStandardization(x, rows.length, this.covariates.length, this.standardization);
  }

  /** Warnings for clinical values outside the training ranges, per row. */
  warnings(rows: ClinicalValues[], where: (i: number) => string = (i) => `row ${i + 1}`): string[][] {
    if (this.covariates.length === 0) return rows.map(() => []);
    const x = clinicalMatrix(rows, this.covariates, where);
    const p = this.covariates.length;
    return rows.map((_, i) => rangeWarnings(x.subarray(i * p, (i + 1) * p), this.covariates, this.ranges));
  }

  /** Log hazard ratios for preprocessed images (uint8 (N, C, S, S) as the variant) and their clinical rows. */
  score(images: Tensor, clinical: ClinicalValues[], where?: (i: number) => string): Float64Array {
    const [n, c, s] = images.shape;
    if (c !== this.input.channels || s !== this.input.size) {
      throw new InputError(`images are [${images.shape.join(', ')}], the model needs (N, ${this.input.channels}, ${this.input.size}, ${this.input.size}) from the "${this.input.variant}" variant`);
    }
    if (clinical.length !== n) throw new RangeError(`${n} images but ${clinical.length} clinical rows`);
    const z = this.standardizedClinical(clinical, where);
    const sized = imagesAtSize(images, this.config.inputSize);
    try {
      const rows = Int32Array.from({ length: n }, (_, i) => i);
      const risk = networkRisks(this.network, sized, rows, z, rows);
      if (this.riskScale !== 1) for (let i = 0; i < n; i++) risk[i] *= this.riskScale;
      return risk;
    } finally {
      if (sized !== images) sized.dispose();
    }
  }

  survival(risk: number, t: number): number {
    return survivalAt(this.baseline, risk, t);
  }

  /** Percentage of training patients with a lower risk (ties count half). */
  percentile(risk: number): number {
    const r = this.trainingRisks;
    const below = countBelow(r, risk);
    const equal = countAtMost(r, risk) - below;
    return (100 * (below + equal / 2)) / r.length;
  }

  dispose(): void {
    this.network.dispose();
  }
}
