/**
 * The HTTP side of `spinesurv serve` (fastify): /api/health, /api/results (CLI.md's JSON), two JSON
 * routes to change an instance from another system, and the web viewer's routes (viewer/routes.ts).
 *
 * Access: with a token (--token or SPINESURV_TOKEN), every request needs `Authorization: Bearer
 * <token>`, except the viewer's pages and static files (no patient data; the pages send the token
 * they were opened with, `/?token=...`, as the Bearer header on each /api request). Without a token
 * the server binds loopback only (serve.ts refuses anything else), and answers only requests whose
 * Host header names loopback and our port (403 otherwise): a web page on another site could otherwise
 * point its own host name at 127.0.0.1 (DNS rebinding) and read or change results through the
 * clinician's browser. Request bodies are JSON and limited to --max-upload-mb (413 above it); a
 * request must arrive whole within requestTimeoutMs (408). Changes are checked in the backend by
 * change-checks.ts, the same checks as the viewer's. Nothing is logged per request: URLs carry UIDs and, on the first
 * page load, the token.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { InputError, UsageError } from '../util/errors.js';
import { scoreView, type ServedImage, type ViewerBackend } from './backend.js';
import { RequestError } from './change-checks.js';
import { uidProblem } from './uid.js';
import { addAccessChecks } from './http-access.js';
import { isViewerPublicPath, registerViewer } from './viewer/routes.js';

export interface HttpOptions {
  backend: ViewerBackend;
  token: string | null;
  bodyLimitBytes: number;
  modelName: string;
  log: (line: string) => void;
  /** A request (headers and body) must arrive within this; 408 after it. */
  requestTimeoutMs: number;
}

/** One result as GET /api/results gives it (CLI.md's keys first, then what else a client may use). */
export function resultJson(x: ServedImage): Record<string, unknown> {
  const score = scoreView(x.outcome);
  return {
    sop_instance_uid: x.sopInstanceUid,
    status: x.status,
    risk: score.risk,
    surv: score.surv,
    flags: score.flags,
    received_at: x.receivedAt,
    scored_at: score.scoredAt,
    warnings: score.warnings,
    study_instance_uid: x.studyInstanceUid,
    series_instance_uid: x.seriesInstanceUid,
    percentile: score.percentile,
    reason: x.reason,
    missing_clinical: x.missingClinical,
    model_version: score.modelVersion,
    keypoints_corrected: x.correctedKeypoints !== null,
  };
}

export async function buildHttpApp(o: HttpOptions): Promise<FastifyInstance> {
  // requestTimeout: a request (headers and body) must arrive within it, or Node answers 408. Node looks
  // for late requests every 30 s (connectionsCheckingInterval), so the answer comes up to 30 s after.
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes, requestTimeout: o.requestTimeoutMs });
  addAccessChecks(app, o.token, isViewerPublicPath);
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply: FastifyReply) => {
    if (error instanceof RequestError) return reply.code(error.status).send({ error: error.message });
    if (error instanceof InputError || error instanceof UsageError) return reply.code(400).send({ error: error.message.split('\n')[0] });
    if (error.name === 'StillScoring') return reply.code(503).send({ error: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 500) o.log(`http: ${error.message}`);
    return reply.code(status).send({ error: status >= 500 ? 'internal error (see the server log)' : error.message });
  });

  app.get('/api/health', async () => ({ ok: true }));
  app.get('/api/results', async () => (await o.backend.list()).map(resultJson));
  const uidOf = (params: unknown): string => {
    const uid = (params as { uid?: string }).uid ?? '';
    const problem = uidProblem(uid, 'SOP Instance UID');
    if (problem !== null) throw new InputError(problem);
    return uid;
  };
  app.get('/api/results/:uid', async (request, reply) => {
    const image = await o.backend.get(uidOf(request.params));
    return image === undefined ? reply.code(404).send({ error: 'no instance with that SOP Instance UID' }) : resultJson(image);
  });
  app.put('/api/results/:uid/clinical', async (request, reply) => {
    const uid = uidOf(request.params);
    if ((await o.backend.get(uid)) === undefined) return reply.code(404).send({ error: 'no instance with that SOP Instance UID' });
    // Checked in the backend by change-checks.ts, as the viewer's route is.
    const body = (request.body ?? {}) as { values?: unknown; by?: unknown };
    return resultJson(await o.backend.setClinical(uid, body.values as Record<string, string | number>, body.by as string));
  });
  app.put('/api/results/:uid/keypoints', async (request, reply) => {
    const uid = uidOf(request.params);
    if ((await o.backend.get(uid)) === undefined) return reply.code(404).send({ error: 'no instance with that SOP Instance UID' });
    const body = (request.body ?? {}) as { keypoints?: unknown; by?: unknown };
    return resultJson(await o.backend.correctKeypoints(uid, body.keypoints as number[], body.by as string));
  });

  registerViewer(app, o.backend, { modelName: o.modelName });
  return app;
}
