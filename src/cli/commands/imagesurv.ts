/**
 * `spinesurv imagesurv fit`: trains an image DeepSurv model (image + clinical model 1/2/3, or image
 * only) on a preprocessed variant folder and a cohort's training rows, and saves a self-contained
 * model folder that `spinesurv predict` scores (docs/image-models.md).
 * A separate command from `deepsurv` (which reads a CSV only) because its inputs are a cohort and a
 * variant folder, and its options (encoder, augmentation, checkpoint) are its own.
 */
import { COMPUTE_OPTIONS } from '../compute-options.js';
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec } from '../args.js';
import { InputError, UsageError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import { checkOutputFolder, refuseOverwritingInput } from '../../util/output-folder.js';
import { version } from '../main.js';
import { DEFAULT_IMAGE_CONFIG, CLINICAL_COLUMNS, validateImageConfig, type ImageModelConfig } from '../../models/image/config.js';
import type { ImageEpochLog } from '../../models/image/train.js';
import { ENCODER_ARCHS } from '../../models/image/encoder.js';

const d = DEFAULT_IMAGE_CONFIG;
const t = d.training;
const fitSpec: CommandSpec = {
  usage: 'spinesurv imagesurv fit',
  description: 'Train an image DeepSurv model (shared ResNet over the patches + clinical covariates, Cox loss) and save a model folder.',
  options: {
    ...COMPUTE_OPTIONS,
    cohort: { type: 'string', description: 'cohort folder (DIR/cohort.csv: image, clinical columns, followup_years, fracture, split)', placeholder: 'DIR', required: true },
    variant: { type: 'string', description: 'variant folder written by `spinesurv preprocess` (its parameters are stored in the model and re-applied by predict)', placeholder: 'DIR', required: true },
    out: { type: 'string', description: 'model folder to write', placeholder: 'MODEL', required: true },
    split: { type: 'string', description: 'train on the cohort rows of this split', placeholder: 'NAME', default: 'train' },
    clinical: { type: 'string', description: 'clinical covariates: 0 image only, 1 age+sex, 2 +BMI, 3 +glucocorticoid, secondary osteoporosis', placeholder: 'N', default: String(d.clinicalModel) },
    ensemble: {
      type: 'string',
      description: 'K >= 2: K image-only networks, each trained on K-1 folds for the whole schedule, fused with the covariates by a Cox model of their out-of-fold score (stable: see docs/image-models.md); 1: one network of image and covariates, early-stopped on a validation split, with the clinical fallback',
      placeholder: 'K',
      default: String(d.ensemble),
    },
    'no-clinical-fallback': {
      type: 'boolean',
      description: 'keep the trained network even when the clinical-only Cox model (same training rows) has the higher validation C',
    },
    arch: { type: 'string', description: `encoder: ${ENCODER_ARCHS.join(', ')}`, placeholder: 'NAME', default: d.encoder.arch },
    width: { type: 'string', description: 'encoder base width (torchvision: 64)', placeholder: 'N', default: String(d.encoder.width) },
    pool: { type: 'string', description: 'combine the patch features: mean or concat', placeholder: 'HOW', default: d.pool },
    'input-size': { type: 'string', description: 'resize the variant images to this side first', placeholder: 'PX', default: String(d.inputSize) },
    'head-layers': { type: 'string', description: 'hidden layers of the DeepSurv head', placeholder: 'N', default: String(d.head.layers) },
    'head-width': { type: 'string', description: 'units per hidden layer of the head', placeholder: 'N', default: String(d.head.width) },
    dropout: { type: 'string', description: 'dropout in the head', placeholder: 'P', default: String(d.head.dropout) },
    lr: { type: 'string', description: 'peak learning rate (AdamW; warm-up then cosine)', placeholder: 'X', default: String(t.learningRate) },
    'weight-decay': { type: 'string', description: 'AdamW weight decay on convolution and Linear weights', placeholder: 'X', default: String(t.weightDecay) },
    epochs: { type: 'string', description: 'maximum epochs', placeholder: 'N', default: String(t.epochs) },
    'batch-size': { type: 'string', description: 'patients per minibatch (events spread evenly over batches)', placeholder: 'N', default: String(t.batchSize) },
    validation: { type: 'string', description: 'fraction of the training rows held out for early stopping', placeholder: 'F', default: String(t.validationFraction) },
    patience: { type: 'string', description: 'epochs without a better validation C before stopping', placeholder: 'N', default: String(t.patience) },
    'min-epochs': { type: 'string', description: 'no early stop before this epoch (the image features need a few epochs to grow)', placeholder: 'N', default: String(t.minEpochs) },
    warmup: { type: 'string', description: 'warm-up epochs', placeholder: 'N', default: String(t.warmupEpochs) },
    'no-augment': { type: 'boolean', description: 'turn augmentation off' },
    init: { type: 'string', description: 'start the encoder from torchvision-layout weights (first conv averaged to 1 channel)', placeholder: 'W.safetensors' },
    landmarks: { type: 'string', description: 'keypoint detector (`landmarks train` folder), copied into the model folder so that `predict` finds L1-L5 on a new radiograph', placeholder: 'MODEL' },
    checkpoint: { type: 'string', description: 'checkpoint file written each epoch (default: OUT.checkpoint.safetensors)', placeholder: 'FILE' },
    resume: { type: 'boolean', description: 'continue from the checkpoint (same result as an uninterrupted run)' },
    device: { type: 'string', description: 'cpu (cuda needs an addon built against CUDA libtorch)', placeholder: 'NAME', default: 'cpu' },
    seed: { type: 'string', description: 'seed for initialisation, splits, batches, augmentation and dropout', placeholder: 'N', default: '1' },
    force: { type: 'boolean', description: 'replace an earlier model folder of spinesurv' },
    json: { type: 'boolean', description: 'print one JSON summary on stdout' },
  },
};

function configFrom(a: ReturnType<typeof parseCommand> & object): ImageModelConfig {
  const config: ImageModelConfig = {
    encoder: { arch: a.choice('arch', ENCODER_ARCHS, d.encoder.arch), width: a.integer('width', d.encoder.width, 1) },
    pool: a.choice('pool', ['mean', 'concat'] as const, d.pool),
    inputSize: a.integer('input-size', d.inputSize, 1),
    clinicalModel: Number(a.choice('clinical', ['0', '1', '2', '3'] as const, String(d.clinicalModel) as '3')) as 0 | 1 | 2 | 3,
    clinicalFallback: !a.flag('no-clinical-fallback'),
    ensemble: a.integer('ensemble', d.ensemble, 1),
    head: { layers: a.integer('head-layers', d.head.layers, 0), width: a.integer('head-width', d.head.width, 1), activation: d.head.activation, dropout: a.number('dropout', d.head.dropout) },
    training: {
      learningRate: a.number('lr', t.learningRate),
      weightDecay: a.number('weight-decay', t.weightDecay),
      epochs: a.integer('epochs', t.epochs, 1),
      batchSize: a.integer('batch-size', t.batchSize, 2),
      validationFraction: a.number('validation', t.validationFraction),
      patience: a.integer('patience', t.patience, 1),
      minEpochs: a.integer('min-epochs', t.minEpochs, 0),
      warmupEpochs: a.integer('warmup', t.warmupEpochs, 0),
      ties: t.ties,
      augment: a.flag('no-augment') ? null : t.augment,
    },
  };
  try {
    return validateImageConfig(config);
  } catch (error) {
    throw new UsageError(`${fitSpec.usage}: ${(error as Error).message}`);
  }
}

async function fit(argv: string[]): Promise<number> {
  const a = parseCommand(argv, fitSpec);
  if (a === null) return 0;
  const config = configFrom(a);
  const seed = a.integer('seed', 1, 0);
  const out = a.string('out');
  const force = a.flag('force');
  const device = a.string('device');
  const cohortDir = a.string('cohort');
  const variantDir = a.string('variant');
  refuseOverwritingInput(out, [cohortDir, variantDir, a.optionalString('landmarks'), a.optionalString('init')]);
  checkOutputFolder(out, { force });
  const landmarks = a.optionalString('landmarks');
  if (landmarks !== undefined) {
    const { checkKeypointModelFolder } = await import('../../models/image/folder.js');
    checkKeypointModelFolder(landmarks);
  }
  const { readImageCohortRows } = await import('../../models/image/cohort-rows.js');
  const rows = readImageCohortRows(cohortDir, CLINICAL_COLUMNS[config.clinicalModel], a.string('split'));
  const { devices } = await import('../../torch/index.js');
  if (device !== 'cpu') {
    if (!devices().some((x) => x === device || x.startsWith(`${device}:`))) throw new InputError(`--device ${device}: this build of the engine has only ${devices().join(', ')}`);
    throw new InputError(`--device ${device}: image model training runs on cpu in this version (the modules cannot be moved to a GPU yet)`);
  }
  const { readVariantFolder } = await import('../../models/image/variant-folder.js');
  const { fitImageDeepSurv, fuseImageModel, trainImageMembersInProcesses } = await import('../../models/image/fit.js');
  const { parallelJobs } = await import('../../torch/compute-mode.js');
  const { saveImageModel } = await import('../../models/image/folder.js');
  const variant = readVariantFolder(variantDir);
  const checkpoint = a.optionalString('checkpoint') ?? `${out.replace(/\/+$/, '')}.checkpoint.safetensors`;
  log(`imagesurv fit: ${rows.length} training rows (${rows.filter((r) => r.event === 1).length} events), ${variant.index.variant} variant ${variant.index.channels} x ${variant.index.size} px -> ${config.inputSize} px, ${config.encoder.arch} width ${config.encoder.width}, ${config.clinicalModel === 0 ? 'image only' : `clinical model ${config.clinicalModel}`}`);
  try {
    const options = {
      variant, rows, config, seed, init: a.optionalString('init'), checkpoint, resume: a.flag('resume'),
      onEpoch: (e: ImageEpochLog) => log(`${e.member !== undefined ? `member ${e.member + 1}/${config.ensemble} ` : ''}epoch ${e.epoch}: lr ${e.lr.toExponential(2)} loss ${e.trainLoss.toFixed(4)} val_loss ${e.valLoss.toFixed(4)} val_C ${e.valC.toFixed(4)} (${e.seconds.toFixed(1)} s)`),
    };
    // The ensemble's members train at once, one per core in the reproducible mode (each member checkpoints on its own).
    const model = config.ensemble >= 2
      ? await (async () => {
        if (options.init) throw new InputError('--init is for a single network (--ensemble 1)');
        const members = await trainImageMembersInProcesses(options, parallelJobs());
        try {
          return fuseImageModel(members, options);
        } finally {
          members.dispose();
        }
      })()
      : fitImageDeepSurv(options);
    try {
      const tr = model.training!;
      if (tr.ensemble) {
        const e = tr.ensemble;
        log(`imagesurv fit: ${e.members.length} members of ${tr.epochsRun} epochs; held-out C ${e.memberHeldOutC.mean.toFixed(4)} ± ${e.memberHeldOutC.sd.toFixed(4)}; out-of-fold C of the image ${e.imageOutOfFoldC.toFixed(4)}; fusion [${e.fusion.coefficients.map((b) => b.toFixed(4)).join(', ')}] (fitted on one member's score [${e.fusion.fitted.map((b) => b.toFixed(4)).join(', ')}], image x ${e.fusion.imageFactor.toFixed(2)} for the members' mean); ${tr.seconds.toFixed(1)} s`);
      } else log(`imagesurv fit: ${tr.epochsRun} epochs${tr.resumedFromEpoch > 0 ? ` (resumed after epoch ${tr.resumedFromEpoch})` : ''}, ${tr.clinicalFallback ? 'kept the clinical-only Cox model (the image did not beat it on validation)' : `kept epoch ${tr.bestEpoch}`} (validation C ${tr.bestValC.toFixed(4)}, loss ${tr.bestValLoss.toFixed(4)}), ${tr.seconds.toFixed(1)} s`);
      await saveImageModel(out, model, {
        keypointModel: landmarks,
        force,
        createdBy: 'spinesurv imagesurv fit',
        provenance: { created_by: `spinesurv ${await version()}`, cohort: cohortDir, variant: variantDir, split: a.string('split') },
      });
      log(`saved ${out}`);
      if (a.flag('json')) {
        printJson({ out, mode: model.mode, n: tr.n, nevent: tr.nevent, covariates: model.covariates, epochs: tr.epochsRun, best_epoch: tr.bestEpoch, clinical_fallback: tr.clinicalFallback, validation_c: tr.bestValC, validation_loss: tr.bestValLoss, seconds: tr.seconds, config });
      }
    } finally {
      model.dispose();
    }
  } finally {
    variant.images.dispose();
  }
  return 0;
}

const HELP = `Usage: spinesurv imagesurv <fit> [options]   (spinesurv imagesurv fit --help for the options)

  fit     train an image DeepSurv model on a preprocessed variant and save a model folder for \`spinesurv predict\`
`;

export const command: Command = {
  run: (argv) => runSubcommand(argv, HELP, { fit }),
};
