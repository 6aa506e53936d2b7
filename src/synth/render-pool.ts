/**
 * Renders every patient, inline or on worker threads. Patients are handed out one at a time (so a
 * slow image never holds up a whole batch) and results are stored by patient index, so the files and
 * the order of everything written afterwards do not depend on which worker finished first.
 */
import { Worker } from 'node:worker_threads';
import { cohortTextureBank, runRenderJob, type RenderJob, type RenderedPatient } from './render-job.js';

export interface PoolOptions {
  seed: number;
  size: number;
  /** A site's field of view (sites.ts), which sets the texture bank's pixel size. */
  fieldMm?: number;
  /** 0 renders on the main thread. */
  workers: number;
  onDone?: (done: number) => void;
}

type WorkerReply = { ok: true; result: RenderedPatient } | { ok: false; index: number; message: string };

export async function renderAll(jobs: RenderJob[], options: PoolOptions): Promise<RenderedPatient[]> {
  const results: RenderedPatient[] = new Array<RenderedPatient>(jobs.length);
  if (options.workers <= 0 || jobs.length === 0) {
    const bank = cohortTextureBank(options.seed, options.size, options.fieldMm);
    jobs.forEach((job, k) => {
      results[k] = runRenderJob(job, bank);
      options.onDone?.(k + 1);
    });
    return results;
  }
  const slotOf = new Map<number, number>(jobs.map((job, k) => [job.patient.index, k]));
  const workerCount = Math.min(options.workers, jobs.length);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error): void => {
        if (!failed) {
          failed = true;
          reject(error);
        }
      };
      for (let w = 0; w < workerCount; w++) {
        const worker = new Worker(new URL('./render-worker.js', import.meta.url), {
          workerData: { seed: options.seed, size: options.size, fieldMm: options.fieldMm },
        });
        workers.push(worker);
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0 && done < jobs.length) fail(new Error(`synth: render worker exited with code ${code}`));
        });
        worker.on('message', (reply: WorkerReply) => {
          if (!reply.ok) {
            fail(new Error(`synth: rendering patient ${reply.index + 1} failed: ${reply.message}`));
            return;
          }
          results[slotOf.get(reply.result.index) ?? -1] = reply.result;
          done++;
          options.onDone?.(done);
          if (done === jobs.length) resolve();
          else if (next < jobs.length) worker.postMessage(jobs[next++]);
        });
        if (next < jobs.length) worker.postMessage(jobs[next++]);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
