/**
 * One scoring thread of the pool (scoring-pool.ts): loads the scorer once, then scores the radiographs
 * it is sent, one at a time. The file is read here, not in the main thread, and its hash checked again,
 * so an image changed since it was submitted is never scored under the old image's key.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { sha256Bytes } from './hash-file.js';
import { scoreOne, type ScorerModule } from './scorer.js';
import type { ThreadReply, ThreadRequest, ThreadSetup } from './scoring-pool.js';

const setup = workerData as ThreadSetup;
const port = parentPort!;

async function main(): Promise<void> {
  let scorer;
  try {
    const module = (await import(setup.scorerModule)) as ScorerModule;
    scorer = await module.loadScorer(setup.modelDir, { threads: setup.engineThreads });
  } catch (error) {
    port.postMessage({ type: 'load-error', message: (error as Error).message, input: error instanceof InputError } satisfies ThreadReply);
    return;
  }
  port.postMessage({ type: 'ready' } satisfies ThreadReply);
  port.on('message', async (job: ThreadRequest) => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(job.file);
    } catch (error) {
      const reason = `${job.file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      port.postMessage({ type: 'result', id: job.id, result: { status: 'failed', risk: null, surv: null, flags: [], reason } } satisfies ThreadReply);
      return;
    }
    if (sha256Bytes(bytes) !== job.sha256) {
      const reason = `${job.file}: changed since it was submitted (its sha256 differs); submit it again`;
      port.postMessage({ type: 'result', id: job.id, result: { status: 'failed', risk: null, surv: null, flags: [], reason } } satisfies ThreadReply);
      return;
    }
    try {
      const result = await scoreOne(scorer, job.file, bytes);
      port.postMessage({ type: 'result', id: job.id, result } satisfies ThreadReply);
    } catch (error) {
      port.postMessage({ type: 'error', id: job.id, message: (error as Error).message ?? String(error) } satisfies ThreadReply);
    }
  });
}

void main();
