/**
 * The image DeepSurv model's configuration: encoder, how the five patch features are combined, the
 * clinical covariates fused with them, the risk head, and how it is trained. The defaults are the
 * CPU profile: small enough that the whole synthetic demo trains in a few minutes on 2 cores
 * (ResNet-18 at base width 16 over 64 px patches), measured in docs/image-models.md.
 */
import type { Ties } from '../cox-loss.js';
import type { Activation } from '../deepsurv/config.js';
import { ENCODER_ARCHS, type EncoderConfig } from './encoder.js';

/**
 * mean: one feature vector per patient, the average of the five patches' features (the default:
 *       the bone signal is shared by all five bodies, and with ~100 events a head over 5x the
 *       features overfits sooner; averaging also makes a patient's features robust to one badly
 *       cut patch).
 * concat: the five vectors side by side, L1 first (keeps which vertebra said what).
 */
export type PatchPooling = 'mean' | 'concat';

/** The study's clinical models as cohort.csv columns (sex is encoded female = 1 for "F"). */
export const CLINICAL_COLUMNS: Record<0 | 1 | 2 | 3, string[]> = {
  0: [],
  1: ['age', 'sex'],
  2: ['age', 'sex', 'bmi'],
  3: ['age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis'],
};

export interface HeadConfig {
  /** Hidden layers of the DeepSurv head (0 = linear in the features and covariates). */
  layers: number;
  width: number;
  activation: Activation;
  dropout: number;
}

export interface AugmentConfig {
  /** Largest rotation, degrees. */
  rotate: number;
  /** Scale drawn in [1 - scale, 1 + scale]. */
  scale: number;
  /** Largest shift as a fraction of the patch side. */
  shift: number;
  /** Contrast factor drawn in [1 - contrast, 1 + contrast], brightness shift in [-brightness, brightness]. */
  contrast: number;
  brightness: number;
}

export interface ImageTrainingConfig {
  learningRate: number;
  /** AdamW decoupled weight decay on convolution and Linear weights (not on biases or norms). */
  weightDecay: number;
  epochs: number;
  /** Patients per minibatch (events dealt evenly over the batches: event-aware batching). */
  batchSize: number;
  /** Fraction of the training rows held out (event-stratified) for early stopping. */
  validationFraction: number;
  patience: number;
  /** No early stop before this epoch (the best epoch is still the one kept); 0 = patience alone. */
  minEpochs: number;
  /** Linear warm-up epochs, then cosine decay to zero over the remaining epochs. */
  warmupEpochs: number;
  ties: Ties;
  augment: AugmentConfig | null;
}

export interface ImageModelConfig {
  encoder: EncoderConfig;
  pool: PatchPooling;
  /** Side the variant's images are resized to before the encoder (the CPU profile's knob). */
  inputSize: number;
  /** 0 = image only; 1, 2, 3 = the study's clinical models. */
  clinicalModel: 0 | 1 | 2 | 3;
  /**
   * With covariates: after training, compare the network with the clinical-only Cox model (fitted on
   * the same training rows) by Harrell's C on the validation rows, and keep the Cox model when the
   * image did not beat it (network.ts, train.ts). false: the network as trained (format-2 folders).
   */
  clinicalFallback: boolean;
  /**
   * K >= 2: the cross-fitted ensemble (ensemble-network.ts, cross-fit.ts): K image-only members, each
   * trained on K-1 folds of the training rows for the whole schedule, fused with the covariates by a
   * Cox model of their out-of-fold score. 1: one network of image and covariates, early-stopped on a
   * validation split, with the clinical fallback (format 3; the variant comparison's short fits).
   */
  ensemble: number;
  head: HeadConfig;
  training: ImageTrainingConfig;
}

export const DEFAULT_IMAGE_CONFIG: ImageModelConfig = {
  encoder: { arch: 'resnet18', width: 16 },
  pool: 'mean',
  inputSize: 64,
  clinicalModel: 3,
  clinicalFallback: true,
  // 5. Measured on the demo cohort across five training seeds (docs/report.md): 8 members halve every
  // image model's SD of the test C (0.014-0.035 to 0.008-0.020) for about 25 s more per subgroup on
  // two cores; it becomes the default once the demo's headline has been measured with it.
  ensemble: 5,
  head: { layers: 1, width: 16, activation: 'relu', dropout: 0.1 },
  training: {
    learningRate: 1e-3,
    weightDecay: 1e-4,
    epochs: 8,
    batchSize: 64,
    validationFraction: 0.15,
    patience: 6,
    minEpochs: 0,
    warmupEpochs: 1,
    ties: 'efron',
    augment: { rotate: 8, scale: 0.08, shift: 0.05, contrast: 0.1, brightness: 0.05 },
  },
};

export function validateImageConfig(c: ImageModelConfig): ImageModelConfig {
  const fail = (what: string): never => {
    throw new RangeError(what);
  };
  if (!ENCODER_ARCHS.includes(c.encoder.arch)) fail(`--arch must be one of ${ENCODER_ARCHS.join(', ')}`);
  if (!Number.isInteger(c.encoder.width) || c.encoder.width < 1) fail('--width must be a positive integer');
  if (c.pool !== 'mean' && c.pool !== 'concat') fail('--pool must be mean or concat');
  if (!Number.isInteger(c.inputSize) || c.inputSize < 32) fail('--input-size must be an integer >= 32');
  if (![0, 1, 2, 3].includes(c.clinicalModel)) fail('--clinical must be 0 (image only), 1, 2 or 3');
  if (typeof c.clinicalFallback !== 'boolean') fail('clinicalFallback must be true or false');
  if (!Number.isInteger(c.ensemble) || c.ensemble < 1 || c.ensemble > 20) fail('--ensemble must be an integer from 1 to 20');
  const h = c.head;
  if (!Number.isInteger(h.layers) || h.layers < 0 || !Number.isInteger(h.width) || h.width < 1) fail('--head-layers must be >= 0 and --head-width >= 1');
  if (!(h.dropout >= 0 && h.dropout < 1)) fail('--dropout must be in [0, 1)');
  const t = c.training;
  if (!(t.learningRate > 0)) fail('--lr must be > 0');
  if (!(t.weightDecay >= 0)) fail('--weight-decay must be >= 0');
  if (!Number.isInteger(t.epochs) || t.epochs < 1) fail('--epochs must be an integer >= 1');
  if (!Number.isInteger(t.batchSize) || t.batchSize < 2) fail('--batch-size must be an integer >= 2');
  if (!(t.validationFraction > 0 && t.validationFraction < 0.5)) fail('--validation must be in (0, 0.5)');
  if (!Number.isInteger(t.patience) || t.patience < 1) fail('--patience must be an integer >= 1');
  if (!Number.isInteger(t.minEpochs) || t.minEpochs < 0) fail('--min-epochs must be an integer >= 0');
  if (!Number.isInteger(t.warmupEpochs) || t.warmupEpochs < 0) fail('--warmup must be an integer >= 0');
  return c;
}

/** Learning rate of an epoch (1-based): linear warm-up, then cosine to zero; a pure function of the epoch, so a resumed run follows it exactly. */
export function learningRateAt(t: ImageTrainingConfig, epoch: number): number {
  if (epoch <= t.warmupEpochs) return (t.learningRate * epoch) / (t.warmupEpochs + 1);
  const span = Math.max(1, t.epochs - t.warmupEpochs);
  const k = epoch - t.warmupEpochs - 1;
  return 0.5 * t.learningRate * (1 + Math.cos((Math.PI * k) / span));
}
