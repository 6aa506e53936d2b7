/**
 * One fold of the variant comparison (variants.ts): an image-only model fitted on the fold's fit rows
 * scores its held-out rows. A pure function of its job (the fit seeds libtorch's generator itself), so
 * it gives the same scores here or in a child process (variant-fold-process.ts), which is how the
 * study runs the comparison's folds on every core without changing a number.
 */
import { fitImageDeepSurv, readVariantFolder, type ImageModelConfig, type ImageTrainingRow } from '../models/image/index.js';
import { tensor } from '../torch/index.js';
import { runInProcess } from '../util/process-jobs.js';

export interface VariantFoldJob {
  /** The variant's preprocessed folder. */
  folder: string;
  fitRows: ImageTrainingRow[];
  heldRows: ImageTrainingRow[];
  /** One short image-only network (no ensemble): a comparison of variants, not a final model. */
  config: ImageModelConfig;
  seed: number;
}

export function fitAndScoreFold(job: VariantFoldJob): Float64Array {
  const variant = readVariantFolder(job.folder);
  try {
    const model = fitImageDeepSurv({ variant, rows: job.fitRows, config: job.config, seed: job.seed });
    try {
      const rowOf = new Map(variant.index.rows.map((r, k) => [r.file_name, k]));
      const picked = Int32Array.from(job.heldRows, (r) => rowOf.get(r.image)!);
      const images = variant.images.indexSelect(0, tensor(picked, [picked.length], { dtype: 'int64' }));
      try {
        return model.score(images, job.heldRows.map((r) => r.clinical));
      } finally {
        images.dispose();
      }
    } finally {
      model.dispose();
    }
  } finally {
    variant.images.dispose();
  }
}

/** The fold in a child process of its own (its own libtorch generator and core). */
export function fitAndScoreFoldInProcess(job: VariantFoldJob): Promise<Float64Array> {
  return runInProcess<VariantFoldJob, Float64Array>(job, new URL('./variant-fold-process.js', import.meta.url));
}
