/**
 * `spinesurv annotate`: the web viewer in annotation mode over one cohort. It reads the cohort as the
 * study does, opens (or starts) the keypoints file, starts the detector loop, and serves the page with
 * the viewer's access rules (http-access.ts: loopback by default, a token off it, the Host check).
 */
import { basename, dirname, join } from 'node:path';
import Fastify, { type FastifyReply } from 'fastify';
import type { StudyConfig } from '../../study/config.js';
import { InputError, UsageError } from '../../util/errors.js';
import { RequestError } from '../change-checks.js';
import { addAccessChecks, checkBindAccess } from '../http-access.js';
import { AnnotationStore } from './annotation-store.js';
import { DetectorLoop } from './detector-loop.js';
import { isAnnotatePublicPath, registerAnnotate, type WorklistOrder } from './routes.js';
import { annotateItems } from './worklist-items.js';

export interface AnnotateOptions {
  cohortDir: string;
  config: StudyConfig;
  /** The keypoints file to write (COCO keypoints). */
  keypointsPath: string;
  detector: string | null;
  host: string;
  port: number;
  token: string | null;
  includeTest: boolean;
  order: WorklistOrder;
  retrainFirst: number;
  retrainEvery: number;
  epochs: number | null;
  inputSize: number | null;
  seed: number;
  /** Where the detector rounds write their models (default: beside the keypoints file). */
  workDir?: string;
  log: (line: string) => void;
}

/** The detector rounds of one keypoints file: beside it, named after it (two files in one folder never share rounds). */
export function detectorWorkDir(keypointsPath: string): string {
  return join(dirname(keypointsPath), `.${basename(keypointsPath)}.detector`);
}

export interface RunningAnnotate {
  url: string;
  items: number;
  close(): Promise<void>;
}

export async function startAnnotate(o: AnnotateOptions): Promise<RunningAnnotate> {
  checkBindAccess(o.host, o.token);
  const items = annotateItems(o.cohortDir, o.config, o.includeTest);
  const store = AnnotationStore.open(o.keypointsPath, items, o.cohortDir);
  const detector = new DetectorLoop({
    items, cohortDir: o.cohortDir, keypointsPath: o.keypointsPath, model: o.detector, workDir: o.workDir ?? detectorWorkDir(o.keypointsPath),
    first: o.retrainFirst, every: o.retrainEvery, epochs: o.epochs, inputSize: o.inputSize, seed: o.seed, log: o.log,
  });
  // A page's JSON is a few hundred bytes; a request must arrive whole within 30 s (408 after).
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, requestTimeout: 30_000 });
  addAccessChecks(app, o.token, isAnnotatePublicPath);
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply: FastifyReply) => {
    if (error instanceof RequestError) return reply.code(error.status).send({ error: error.message });
    if (error instanceof InputError || error instanceof UsageError) return reply.code(400).send({ error: error.message.split('\n')[0] });
    const status = error.statusCode ?? 500;
    if (status >= 500) o.log(`annotate: http: ${error.message}`);
    return reply.code(status).send({ error: status >= 500 ? 'internal error (see the server log)' : error.message });
  });
  registerAnnotate(app, { items, store, detector, order: o.order });
  await app.listen({ port: o.port, host: o.host });
  detector.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const urlHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${urlHost}:${port}`, items: items.length, close: () => app.close() };
}
