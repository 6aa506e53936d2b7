/**
 * A child process that trains one member of the cross-fitted ensemble (cross-fit.ts trainOneMember)
 * and sends its weights and held-out scores back (util/process-jobs.ts says why a process). It reads
 * the variant's images from their folder itself, which is cheaper than sending them.
 */
import { serveProcessJob } from '../../util/process-jobs.js';
import { trainOneMember, type MemberOutcome, type MemberTask } from './cross-fit.js';
import { prepareRows, type ImageTrainingRow } from './training-rows.js';
import { imagesAtSize } from './image-batch.js';
import { readVariantFolder } from './variant-folder.js';

export interface MemberProcessJob {
  task: MemberTask;
  variantDir: string;
  rows: ImageTrainingRow[];
}

function run(job: MemberProcessJob): MemberOutcome {
  const variant = readVariantFolder(job.variantDir);
  try {
    const { imageRow, time, event } = prepareRows(variant, job.rows);
    const images = imagesAtSize(variant.images, job.task.config.inputSize);
    try {
      return trainOneMember(job.task, { channels: variant.index.channels, images, imageRow, time, event });
    } finally {
      if (images !== variant.images) images.dispose();
    }
  } finally {
    variant.images.dispose();
  }
}

if (process.send !== undefined) serveProcessJob(run);
