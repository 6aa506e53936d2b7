/**
 * The study's configuration (study.json): how to read a cohort whose columns or codes differ from the
 * CLI.md cohort format, and the analysis settings. Every field is optional; the defaults read a cohort
 * written by `spinesurv synth` and run the study as the paper did.
 *
 * Example, for a cohort with months of follow-up, sex coded 1/2 and an event column named "vfx":
 *   { "columns": { "followup_years": "fu_months", "fracture": "vfx", "sex": "gender" },
 *     "time_unit": "months", "codes": { "sex": { "1": "M", "2": "F" } } }
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { COHORT_COLUMNS, type CohortColumn } from '../util/cohort-format.js';
import { DEFAULT_CONFIG as DEFAULT_DEEPSURV, validateConfig, type DeepSurvConfig } from '../models/deepsurv/config.js';

/** The cohort's columns by their CLI.md names. */
export const CANONICAL_COLUMNS = COHORT_COLUMNS;
export type CanonicalColumn = CohortColumn;

/** Columns whose cells are recoded through `codes` before they are checked. */
export const CODED_COLUMNS = ['sex', 'fracture', 'split', 'binary'] as const;
export type CodedColumn = (typeof CODED_COLUMNS)[number];

export type TimeUnit = 'years' | 'months' | 'weeks' | 'days';
/** Units per year; a time is divided by it (12 months -> 1 year exactly, as a spreadsheet would). */
export const UNITS_PER_YEAR: Record<TimeUnit, number> = { years: 1, months: 12, weeks: 365.25 / 7, days: 365.25 };

/** A follow-up time in the cohort's unit, in years. */
export function toYears(t: number, unit: TimeUnit): number {
  return t / UNITS_PER_YEAR[unit];
}

/**
 * DeepSurv settings for the study, in DeepSurv's own terms (src/models/deepsurv/config.ts). The
 * study's defaults are chosen so that six fits (three clinical models, two subgroups) stay well
 * within the demo's time budget on two cores.
 */
export type DeepSurvSettings = Partial<DeepSurvConfig>;

/**
 * The image half's settings (study.json "images"). `profile` picks sizes for the machine: "cpu" is
 * small enough for the demo on two cores (narrow HRNet at 256 px, 64 px variants, a narrow ResNet-18),
 * "paper" is the source study's (HRNet-W32 at 384 px, 384 px variants) for a GPU.
 */
export interface ImageStudySettings {
  /** false runs the clinical half only (the radiographs are then only checked to exist). */
  enabled: boolean;
  profile: 'cpu' | 'paper';
  /**
   * Keypoints the variants are cut from: "predicted" (the study's design: the detector's for every
   * test and unannotated patient, annotations only for annotated training patients) or "annotated"
   * (every patient's annotation where one exists, test split included: an upper bound for the
   * detector, and a quick path for tests; the report says so).
   */
  keypoints: 'predicted' | 'annotated';
  /** 1: the detector is judged on one held-out fold of the annotated training radiographs; K > 1: K-fold cross-validation. */
  landmarkFolds: number;
  landmarkHoldout: number;
  /** Detector training epochs (null: the profile's). */
  landmarkEpochs: number | null;
  /** Side of the preprocessed variants, pixels. */
  size: number;
  /**
   * The variants compared (null: all six, or the three without masks when the cohort has none), as
   * full-l1l5, full-l1l4 or patches, with "-masks" for the masked ones.
   */
  variants: string[] | null;
  /** Side the image models resize the variant to. */
  inputSize: number;
  encoder?: { arch?: 'resnet18' | 'resnet34' | 'resnet50'; width?: number };
  variantFolds: number;
  /** Epochs of each image-only model in the variant comparison (kept short: 5 folds x 6 variants). */
  variantEpochs: number;
  /** Epochs of the final image models (null: the image model's default). */
  epochs?: number;
  /** Members of the cross-fitted image ensemble (1: one early-stopped network; null: the image model's default). */
  ensemble?: number;
  /**
   * Seed of the image models' training alone (null: drawn from the study's seed). Changing it reruns
   * only the image models, so that a bench can show how much of a C-index is the training's chance.
   */
  modelSeed?: number | null;
  /** The image models fitted per subgroup: clinical model 1, 2, 3 with the image, 0 = the image alone. */
  models: (0 | 1 | 2 | 3)[];
  gradcamPerGroup: number;
  keypointGallery: number;
}

export const IMAGE_PROFILES: Record<'cpu' | 'paper', Omit<ImageStudySettings, 'enabled' | 'profile'>> = {
  cpu: {
    keypoints: 'predicted', landmarkFolds: 1, landmarkHoldout: 0.2, landmarkEpochs: null, size: 64, variants: null, inputSize: 64, variantFolds: 5, variantEpochs: 3, models: [1, 2, 3, 0],
    gradcamPerGroup: 4, keypointGallery: 8,
  },
  paper: {
    keypoints: 'predicted', landmarkFolds: 1, landmarkHoldout: 0.2, landmarkEpochs: null, size: 384, variants: null, inputSize: 384, encoder: { arch: 'resnet18', width: 64 },
    variantFolds: 5, variantEpochs: 20, epochs: 100, models: [1, 2, 3, 0], gradcamPerGroup: 4, keypointGallery: 8,
  },
};

export function imageSettings(profile: 'cpu' | 'paper', enabled = true): ImageStudySettings {
  return { enabled, profile, ...structuredClone(IMAGE_PROFILES[profile]) };
}

export interface StudyConfig {
  /** The cohort table inside the cohort folder. */
  cohortFile: string;
  /**
   * The COCO keypoints file (L1-L5 annotations), relative to the cohort folder or absolute. Its
   * images' file_name values are matched to the image column as written.
   */
  keypointsFile: string;
  /** CLI.md column name -> the name in this cohort's CSV; null marks an optional column as absent. */
  columns: Record<CanonicalColumn, string | null>;
  /** Per coded column: raw cell -> canonical value (sex F/M, fracture 1/0, split train/test, binary 1/0). */
  codes: Record<CodedColumn, Record<string, string>>;
  timeUnit: TimeUnit;
  /** Numeric inclusion ranges by CLI.md column (rows outside are excluded and counted in the flow). */
  include: Partial<Record<'age' | 'bmi' | 'followup_years', { min?: number; max?: number }>>;
  /** Rows with a missing model covariate are excluded (and counted) instead of stopping the study. */
  dropMissing: boolean;
  /** Times (years) for AUC(t) and the Brier score. */
  horizons: number[];
  calibrationHorizon: number;
  calibrationGroups: number;
  bootstrap: number;
  subgroups: ('all' | 'women')[];
  deepsurv: DeepSurvSettings;
  images: ImageStudySettings;
}

export const DEFAULT_CONFIG: StudyConfig = {
  cohortFile: 'cohort.csv',
  keypointsFile: 'keypoints.json',
  columns: Object.fromEntries(CANONICAL_COLUMNS.map((c) => [c, c])) as Record<CanonicalColumn, string>,
  codes: {
    sex: { F: 'F', M: 'M' },
    fracture: { '0': '0', '1': '1' },
    split: { train: 'train', test: 'test' },
    binary: { '0': '0', '1': '1' },
  },
  timeUnit: 'years',
  include: {},
  dropMissing: false,
  horizons: [1, 3, 5],
  calibrationHorizon: 3,
  calibrationGroups: 5,
  bootstrap: 1000,
  subgroups: ['all', 'women'],
  deepsurv: {
    layers: 2,
    width: 32,
    activation: 'selu',
    dropout: 0.1,
    learningRate: 1e-3,
    l2: 1e-4,
    epochs: 300,
    validationFraction: 0.2,
    patience: 40,
  },
  images: imageSettings('cpu'),
};

/** study.json's keys (snake_case, as the rest of the project's JSON) -> StudyConfig's. */
const FILE_KEYS: Record<string, keyof StudyConfig> = {
  cohort_file: 'cohortFile',
  keypoints_file: 'keypointsFile',
  columns: 'columns',
  codes: 'codes',
  time_unit: 'timeUnit',
  include: 'include',
  drop_missing: 'dropMissing',
  horizons: 'horizons',
  calibration_horizon: 'calibrationHorizon',
  calibration_groups: 'calibrationGroups',
  bootstrap: 'bootstrap',
  subgroups: 'subgroups',
  deepsurv: 'deepsurv',
  images: 'images',
};

/** study.json's deepsurv keys (snake_case) -> DeepSurvConfig's. */
const DEEPSURV_KEYS: Record<string, keyof DeepSurvConfig> = {
  layers: 'layers',
  width: 'width',
  activation: 'activation',
  dropout: 'dropout',
  batch_norm: 'batchNorm',
  optimizer: 'optimizer',
  learning_rate: 'learningRate',
  momentum: 'momentum',
  lr_decay: 'lrDecay',
  l2: 'l2',
  epochs: 'epochs',
  batch_size: 'batchSize',
  validation_fraction: 'validationFraction',
  patience: 'patience',
  ties: 'ties',
};

function fail(source: string, message: string): never {
  throw new InputError(`${source}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveNumber(source: string, key: string, v: unknown, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    fail(source, `"${key}" must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads and checks a study.json; unknown keys are errors so that a typo is not silently ignored. */
export function loadConfig(path: string | undefined): StudyConfig {
  if (path === undefined) return structuredClone(DEFAULT_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    fail(path, e.code ? `cannot read (${e.code})` : `not valid JSON (${e.message})`);
  }
  return parseConfig(raw, path);
}

export function parseConfig(raw: unknown, source = 'study.json'): StudyConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  if (!isRecord(raw)) fail(source, 'must hold a JSON object');
  for (const [key, value] of Object.entries(raw)) {
    const field = FILE_KEYS[key];
    if (field === undefined) fail(source, `unknown key "${key}" (known: ${Object.keys(FILE_KEYS).join(', ')})`);
    switch (field) {
      case 'cohortFile':
        if (typeof value !== 'string' || value === '') fail(source, '"cohort_file" must be a file name');
        config.cohortFile = value;
        break;
      case 'keypointsFile':
        if (typeof value !== 'string' || value === '') fail(source, '"keypoints_file" must be a file name (relative to the cohort folder, or absolute)');
        config.keypointsFile = value;
        break;
      case 'columns':
        if (!isRecord(value)) fail(source, '"columns" must map CLI.md column names to this cohort\'s names');
        for (const [name, actual] of Object.entries(value)) {
          if (!(CANONICAL_COLUMNS as readonly string[]).includes(name)) {
            fail(source, `columns: unknown column "${name}" (known: ${CANONICAL_COLUMNS.join(', ')})`);
          }
          if (actual !== null && (typeof actual !== 'string' || actual === '')) {
            fail(source, `columns.${name} must be a column name or null`);
          }
          config.columns[name as CanonicalColumn] = actual as string | null;
        }
        break;
      case 'codes':
        if (!isRecord(value)) fail(source, '"codes" must be an object');
        for (const [name, mapping] of Object.entries(value)) {
          if (!(CODED_COLUMNS as readonly string[]).includes(name)) {
            fail(source, `codes: unknown coded column "${name}" (known: ${CODED_COLUMNS.join(', ')})`);
          }
          if (!isRecord(mapping)) fail(source, `codes.${name} must map raw cells to values`);
          const allowed = allowedCodes(name as CodedColumn);
          const table: Record<string, string> = {};
          for (const [rawCell, canonical] of Object.entries(mapping)) {
            const c = String(canonical);
            if (!allowed.includes(c)) fail(source, `codes.${name}.${rawCell}: "${c}" must be one of ${allowed.join(', ')}`);
            table[rawCell] = c;
          }
          config.codes[name as CodedColumn] = table;
        }
        break;
      case 'timeUnit':
        if (typeof value !== 'string' || !(value in UNITS_PER_YEAR)) {
          fail(source, `"time_unit" must be one of ${Object.keys(UNITS_PER_YEAR).join(', ')}`);
        }
        config.timeUnit = value as TimeUnit;
        break;
      case 'include':
        if (!isRecord(value)) fail(source, '"include" must be an object like {"age": {"min": 50, "max": 75}}');
        for (const [name, range] of Object.entries(value)) {
          if (!['age', 'bmi', 'followup_years'].includes(name)) fail(source, `include: "${name}" is not age, bmi or followup_years`);
          if (!isRecord(range) || Object.keys(range).some((k) => k !== 'min' && k !== 'max') ||
              Object.values(range).some((v) => typeof v !== 'number')) {
            fail(source, `include.${name} must be {"min": number, "max": number}`);
          }
          config.include[name as 'age'] = range as { min?: number; max?: number };
        }
        break;
      case 'dropMissing':
        if (typeof value !== 'boolean') fail(source, '"drop_missing" must be true or false');
        config.dropMissing = value;
        break;
      case 'horizons':
        if (!Array.isArray(value) || value.length === 0) fail(source, '"horizons" must be a list of times in years');
        config.horizons = value.map((v) => positiveNumber(source, 'horizons', v));
        break;
      case 'calibrationHorizon':
        config.calibrationHorizon = positiveNumber(source, key, value);
        break;
      case 'calibrationGroups':
        config.calibrationGroups = positiveNumber(source, key, value, true);
        break;
      case 'bootstrap':
        // bootstrapCi needs two resamples at least; say so before any model is fitted.
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) fail(source, `"bootstrap" must be an integer >= 2, got ${JSON.stringify(value)}`);
        config.bootstrap = value;
        break;
      case 'subgroups':
        if (!Array.isArray(value) || value.length === 0 || value.some((s) => s !== 'all' && s !== 'women')) {
          fail(source, '"subgroups" must be a list of "all" and/or "women"');
        }
        config.subgroups = [...new Set(value as ('all' | 'women')[])];
        break;
      case 'deepsurv':
        config.deepsurv = parseDeepSurv(value, source);
        break;
      case 'images':
        config.images = parseImages(value, source);
        break;
    }
  }
  return config;
}

function parseDeepSurv(value: unknown, source: string): DeepSurvSettings {
  if (!isRecord(value)) fail(source, '"deepsurv" must be an object');
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG.deepsurv };
  for (const [key, v] of Object.entries(value)) {
    const field = DEEPSURV_KEYS[key];
    if (field === undefined) fail(source, `deepsurv: unknown key "${key}" (known: ${Object.keys(DEEPSURV_KEYS).join(', ')})`);
    out[field] = v;
  }
  try {
    // DeepSurv's own check names the field; run it on the full config the fit will see.
    validateConfig({ ...DEFAULT_DEEPSURV, ...(out as DeepSurvSettings) });
  } catch (error) {
    fail(source, (error as Error).message);
  }
  return out as DeepSurvSettings;
}

/** study.json's images keys (snake_case) -> ImageStudySettings'. */
const IMAGE_KEYS: Record<string, keyof ImageStudySettings> = {
  enabled: 'enabled',
  profile: 'profile',
  keypoints: 'keypoints',
  landmark_folds: 'landmarkFolds',
  landmark_holdout: 'landmarkHoldout',
  landmark_epochs: 'landmarkEpochs',
  size: 'size',
  variants: 'variants',
  input_size: 'inputSize',
  encoder: 'encoder',
  variant_folds: 'variantFolds',
  variant_epochs: 'variantEpochs',
  epochs: 'epochs',
  ensemble: 'ensemble',
  model_seed: 'modelSeed',
  models: 'models',
  gradcam_per_group: 'gradcamPerGroup',
  keypoint_gallery: 'keypointGallery',
};

function parseImages(value: unknown, source: string): ImageStudySettings {
  if (!isRecord(value)) fail(source, '"images" must be an object');
  const profile = value.profile ?? 'cpu';
  if (profile !== 'cpu' && profile !== 'paper') fail(source, `images.profile must be "cpu" or "paper", got ${JSON.stringify(profile)}`);
  // The profile's values first, then the keys given.
  const out: Record<string, unknown> = { ...imageSettings(profile) };
  for (const [key, v] of Object.entries(value)) {
    const field = IMAGE_KEYS[key];
    if (field === undefined) fail(source, `images: unknown key "${key}" (known: ${Object.keys(IMAGE_KEYS).join(', ')})`);
    switch (field) {
      case 'enabled':
        if (typeof v !== 'boolean') fail(source, 'images.enabled must be true or false');
        break;
      case 'profile':
        break;
      case 'variants': {
        const known = ['full-l1l5', 'full-l1l4', 'patches'].flatMap((v) => [v, `${v}-masks`]);
        if (v !== null && (!Array.isArray(v) || v.length === 0 || v.some((k) => !known.includes(k)))) {
          fail(source, `images.variants must be null or a list of ${known.join(', ')}`);
        }
        break;
      }
      case 'models':
        if (!Array.isArray(v) || v.length === 0 || v.some((m) => ![0, 1, 2, 3].includes(m as number)) || new Set(v).size !== v.length) {
          fail(source, 'images.models must list distinct clinical models 1, 2, 3 (with the image) and/or 0 (the image alone)');
        }
        break;
      case 'keypoints':
        if (v !== 'predicted' && v !== 'annotated') fail(source, 'images.keypoints must be "predicted" or "annotated"');
        break;
      case 'landmarkHoldout':
        if (typeof v !== 'number' || !(v > 0 && v < 0.5)) fail(source, 'images.landmark_holdout must be a fraction in (0, 0.5)');
        break;
      case 'landmarkEpochs':
      case 'modelSeed':
        if (v !== null) positiveNumber(source, `images.${key}`, v, true);
        break;
      case 'encoder':
        if (!isRecord(v) || Object.keys(v).some((k) => k !== 'arch' && k !== 'width')) fail(source, 'images.encoder must be {"arch": "resnet18" | "resnet34" | "resnet50", "width": N}');
        if (v.arch !== undefined && !['resnet18', 'resnet34', 'resnet50'].includes(v.arch as string)) fail(source, 'images.encoder.arch must be resnet18, resnet34 or resnet50');
        if (v.width !== undefined) positiveNumber(source, 'images.encoder.width', v.width, true);
        break;
      case 'landmarkFolds':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(source, 'images.landmark_folds must be 1 (one held-out fold) or an integer >= 2');
        break;
      case 'variantFolds':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 2) fail(source, 'images.variant_folds must be an integer >= 2');
        break;
      case 'size':
      case 'inputSize':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 32) fail(source, `images.${key} must be an integer >= 32`);
        break;
      default:
        positiveNumber(source, `images.${key}`, v, true);
    }
    out[field] = v;
  }
  return out as unknown as ImageStudySettings;
}

export function allowedCodes(column: CodedColumn): string[] {
  switch (column) {
    case 'sex':
      return ['F', 'M'];
    case 'split':
      return ['train', 'test'];
    default:
      return ['0', '1'];
  }
}

/** The config as written to the manifest (study.json's own spelling). */
export function configToJson(config: StudyConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fileKey, field] of Object.entries(FILE_KEYS)) {
    if (field === 'images') {
      out[fileKey] = Object.fromEntries(Object.entries(IMAGE_KEYS).map(([k, f]) => [k, config.images[f] ?? null]));
    } else if (field === 'deepsurv') {
      const full = { ...DEFAULT_DEEPSURV, ...config.deepsurv };
      out[fileKey] = Object.fromEntries(Object.entries(DEEPSURV_KEYS).map(([k, f]) => [k, full[f]]));
    } else {
      out[fileKey] = config[field];
    }
  }
  return out;
}
