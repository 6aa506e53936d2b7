/**
 * The HTTP side of `spinesurv serve` (fastify): /api/health, /api/results (CLI.md's JSON), two JSON
 * routes to change an instance from another system, and the web viewer's routes (viewer-hook.ts).
 *
 * Access: with a token (--token or SPINESURV_TOKEN), every request needs `Authorization: Bearer
 * <token>`, except the viewer's pages and static files (no patient data; the pages send the token
 * they were opened with, `/?token=...`, as the Bearer header on each /api request). Without a token
 * the server binds 127.0.0.1 only (serve.ts refuses anything else). Request bodies are JSON and
 * limited to --max-upload-mb (413 above it). Nothing is logged per request: URLs carry UIDs and,
 * on the first page load, the token.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { InputError, UsageError } from '../util/errors.js';
import type { ServedImage, ViewerBackend } from './backend.js';
import { mountViewer } from './viewer-hook.js';
import { uidProblem } from './uid.js';

export interface HttpOptions {
  backend: ViewerBackend;
  token: string | null;
  bodyLimitBytes: number;
  modelName: string;
  log: (line: string) => void;
}

/** One result as GET /api/results gives it (CLI.md's keys first, then what else a client may use). */
export function resultJson(x: ServedImage): Record<string, unknown> {
  return {
    sop_instance_uid: x.sopInstanceUid,
    status: x.status,
    risk: x.risk,
    surv: x.surv,
    flags: x.flags,
    received_at: x.receivedAt,
    scored_at: x.scoredAt,
    warnings: x.warnings,
    study_instance_uid: x.studyInstanceUid,
    series_instance_uid: x.seriesInstanceUid,
    percentile: x.percentile,
    reason: x.reason,
    missing_clinical: x.missingClinical,
    model_version: x.modelVersion,
    keypoints_corrected: x.correctedKeypoints !== null,
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the Bearer token (hashed first, so lengths never differ). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

export async function buildHttpApp(o: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes });
  let isPublic: (url: string) => boolean = () => false;
  if (o.token !== null) {
    const token = o.token;
    app.addHook('onRequest', async (request, reply) => {
      if (isPublic(request.url) || bearerMatches(request.headers.authorization, token)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'this server needs its access token: Authorization: Bearer <token>' });
    });
  }
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply: FastifyReply) => {
    if (error instanceof InputError || error instanceof UsageError) return reply.code(400).send({ error: error.message.split('\n')[0] });
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
  const exists = async (uid: string, reply: FastifyReply): Promise<boolean> => {
    if ((await o.backend.get(uid)) !== undefined) return true;
    void reply.code(404).send({ error: 'no instance with that SOP Instance UID' });
    return false;
  };
  app.get('/api/results/:uid', async (request, reply) => {
    const image = await o.backend.get(uidOf(request.params));
    return image === undefined ? reply.code(404).send({ error: 'no instance with that SOP Instance UID' }) : resultJson(image);
  });
  app.put('/api/results/:uid/clinical', async (request, reply) => {
    const uid = uidOf(request.params);
    if (!(await exists(uid, reply))) return reply;
    const body = request.body as { values?: Record<string, string | number>; by?: string } | null;
    return resultJson(await o.backend.setClinical(uid, body?.values ?? {}, body?.by ?? ''));
  });
  app.put('/api/results/:uid/keypoints', async (request, reply) => {
    const uid = uidOf(request.params);
    if (!(await exists(uid, reply))) return reply;
    const body = request.body as { keypoints?: number[]; by?: string } | null;
    return resultJson(await o.backend.correctKeypoints(uid, body?.keypoints ?? [], body?.by ?? ''));
  });

  const viewer = await mountViewer(app, o.backend, { modelName: o.modelName });
  isPublic = viewer.isPublic;
  return app;
}
