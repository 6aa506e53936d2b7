/**
 * Independent jobs in child processes, at most `slots` at once, results in the order of the jobs.
 *
 * Processes, not worker threads: libtorch's random generator is one per process, so two trainings on
 * two threads of one process draw from it in turn and each gets other numbers from run to run
 * (measured: two ensemble members trained on two threads differed from the same members trained one
 * after another). A process per job owns its generator, and a job is then a pure function of its data.
 * The jobs this runs take minutes, so a process's start (~0.5 s, the engine included) does not matter.
 * With one slot the jobs run here, one after another: the same results (src/torch/compute-mode.ts says
 * why the reproducible mode relies on it). The children inherit the environment, so the compute mode.
 */
import { fork, type Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InputError } from './errors.js';

interface Reply<R> {
  ok: boolean;
  result?: R;
  message?: string;
  input?: boolean;
}

export async function runProcessJobs<T, R>(jobs: T[], slots: number, moduleUrl: URL, inline: (job: T) => R): Promise<R[]> {
  if (slots <= 1 || jobs.length <= 1) return jobs.map(inline);
  const results = new Array<R>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await runInProcess<T, R>(jobs[index]!, moduleUrl, index + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, jobs.length) }, lane));
  return results;
}

/** One job in a child process of its own (the module at moduleUrl calls serveProcessJob). */
export function runInProcess<T, R>(job: T, moduleUrl: URL, label: number | string = 1): Promise<R> {
  return new Promise((resolve, reject) => {
    // 'advanced' serialisation carries typed arrays and Maps (weights, scores) as they are.
    const child = fork(fileURLToPath(moduleUrl), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (reply: Reply<R>) => {
      settled = true;
      if (reply.ok) resolve(reply.result as R);
      else reject(reply.input ? new InputError(reply.message ?? 'job failed') : new Error(reply.message ?? 'job failed'));
      child.disconnect();
    });
    child.once('error', (error) => {
      settled = true;
      reject(error);
    });
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`a job process exited (${signal ?? `code ${code}`}) before it finished job ${label}`));
    });
    child.send(job as Serializable);
  });
}

/** The child's side: takes the one job sent to it, runs `work` and sends the result (or the error) back. */
export function serveProcessJob<T, R>(work: (job: T) => R | Promise<R>): void {
  if (process.send === undefined) throw new Error('serveProcessJob must run in a process started by runProcessJobs');
  process.once('message', async (job: T) => {
    let reply: Reply<R>;
    try {
      reply = { ok: true, result: await work(job) };
    } catch (error) {
      reply = { ok: false, message: error instanceof Error ? error.message : String(error), input: error instanceof InputError };
    }
    process.send!(reply, () => process.disconnect());
  });
}
