/**
 * Who may talk to a spinesurv web server (`serve` and `annotate` share it, so both have the same safe
 * defaults):
 * - Binding: loopback by default; any other address needs an access token of at least 16 characters.
 * - With a token, every request needs `Authorization: Bearer <token>`, except the public paths (pages
 *   and static files, which carry no patient data: a browser cannot add a header to a page load).
 * - Without a token, only requests whose Host header names loopback and our own port are answered
 *   (403 otherwise): a web page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) must
 *   not read or change anything through the user's browser.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UsageError } from '../util/errors.js';

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Refuses a bind that would put the server off loopback without a token, and a short token. */
export function checkBindAccess(host: string, token: string | null): void {
  if (!LOOPBACK.has(host) && token === null) {
    throw new UsageError(`--host ${host}: the server would be reachable from other machines; give an access token (--token or SPINESURV_TOKEN), or bind 127.0.0.1`);
  }
  if (token !== null && token.length < 16) throw new UsageError('--token: use at least 16 characters');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the Bearer token (hashed first, so lengths never differ). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

/** Host headers a tokenless (loopback-only) server answers: loopback names with our own port. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

/** Adds the token or Host check as the app's first hook. */
export function addAccessChecks(app: FastifyInstance, token: string | null, isPublicPath: (url: string) => boolean): void {
  if (token !== null) {
    app.addHook('onRequest', async (request, reply) => {
      if (isPublicPath(request.url) || bearerMatches(request.headers.authorization, token)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'this server needs its access token: Authorization: Bearer <token>' });
    });
  } else {
    app.addHook('onRequest', async (request, reply) => {
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : -1;
      if (isLoopbackHost(request.headers.host, port)) return;
      return reply.code(403).send({ error: `this server answers only http://127.0.0.1:${port} or http://localhost:${port} (Host header); run it with a token to reach it by another name` });
    });
  }
}
