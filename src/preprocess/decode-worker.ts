/** Worker thread of decode-pool.ts: decodes the jobs it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { decodeJob, type DecodeJob } from './decode.js';

parentPort?.on('message', (job: DecodeJob) => {
  decodeJob(job).then(
    (result) => {
      const transfer = result.ok ? [result.pixels.buffer, ...(result.labels ? [result.labels.buffer] : [])] : [];
      parentPort?.postMessage(result, transfer as ArrayBuffer[]);
    },
    (error: unknown) => parentPort?.postMessage({ index: job.index, ok: false, reason: `unreadable image: ${String(error)}` }),
  );
});
