/**
 * Worker-thread entry: renders the patients the main thread sends, one message each, and answers
 * with the RenderedPatient. The texture bank is rebuilt here from the same seed, so the output is
 * the same bytes as rendering inline.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cohortTextureBank, runRenderJob, type RenderJob } from './render-job.js';

interface WorkerSetup {
  seed: number;
  size: number;
  fieldMm?: number;
}

const setup = workerData as WorkerSetup;
const bank = cohortTextureBank(setup.seed, setup.size, setup.fieldMm);

parentPort?.on('message', (job: RenderJob) => {
  try {
    parentPort?.postMessage({ ok: true, result: runRenderJob(job, bank) });
  } catch (error) {
    parentPort?.postMessage({ ok: false, index: job.patient.index, message: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
});
