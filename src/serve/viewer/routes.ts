/**
 * The web viewer of `spinesurv serve`: a worklist sorted by risk and a study page (radiograph with
 * window/level and zoom, the keypoints, the Grad-CAM overlay, keypoint correction, clinical values),
 * over the ViewerBackend and nothing else.
 *
 * Routes (registered by `registerViewer` on the server core's fastify app):
 *   GET  /                                    the worklist page
 *   GET  /study/:uid                          the study page of one image (SOP Instance UID)
 *   GET  /viewer/static/:name                 the pages' CSS and ES modules (a fixed list, from memory)
 *   GET  /api/viewer/worklist                 {modelName, showPhi, images: WorklistEntry[]} highest risk first
 *   GET  /api/viewer/worklist.csv             the same as CSV (columns in worklist-csv.ts)
 *   GET  /api/viewer/images/:uid              the image: scores, warnings, keypoints (predicted and corrected), clinical
 *                                             values, the history of changes (who, when, what)
 *   GET  /api/viewer/images/:uid/pixels       modality values, raw little-endian (X-Pixel-Type uint16|int16|float32,
 *                                             X-Rows, X-Columns, X-Window-Center, X-Window-Width headers)
 *   GET  /api/viewer/images/:uid/radiograph.png[?center=C&width=W]  8-bit PNG through that window (the file's by default)
 *   GET  /api/viewer/images/:uid/heatmap.png  the Grad-CAM overlay (404 until scored)
 *   POST /api/viewer/images/:uid/keypoints    {keypoints: [x1, y1, ..., x5, y5], by} -> the re-scored image
 *   POST /api/viewer/images/:uid/clinical     {values: {column: value}, by} -> the re-scored image
 * Every :uid is checked to be digits and dots before it is used. Errors are JSON {error: "one line"}
 * with 400 (bad request) or 404 (no such image); any other failure goes to the app's error handler
 * (the core's logs it and answers 500 without details).
 *
 * Access token. When the server runs with a token, the core checks `Authorization: Bearer <token>` on
 * /api/. The pages and /viewer/static/ hold no patient data and are public (isViewerPublicPath), since
 * a browser cannot add a header to a page load or a <script> fetch. The user opens /?token=TOKEN (the
 * token the server was started with; the server never prints it). The pages read `?token=` from the
 * address once, keep it in sessionStorage (this tab only, gone when the tab closes), take it out of
 * the address bar, and send it as `Authorization: Bearer` on every fetch of /api/ (static/api.js).
 * The pages are served with Referrer-Policy: no-referrer so the token never leaves in a Referer header.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServedImage, ViewerBackend } from '../backend.js';
import { InputError, UsageError } from '../../util/errors.js';
import { checkClinical, checkCorrection, checkUid, checkWindow, RequestError } from './request-checks.js';
import { studyView, worklist } from './worklist.js';
import { worklistCsv } from './worklist-csv.js';
import { loadStaticFiles, STATIC_FILES } from './static-files.js';

export interface ViewerOptions {
  /** Shown in the page header (the model the server scores with). */
  modelName?: string;
}

/** JSON bodies are a correction or a few clinical values: a few hundred bytes. */
const BODY_LIMIT = 16 * 1024;

/** Paths that need no token: the pages and their static files (they carry no patient data). */
export function isViewerPublicPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/' || /^\/study\/[0-9.]{1,64}$/.test(path) || /^\/viewer\/static\/[a-z-]+\.(html|css|js)$/.test(path);
}

/** The pages' Content Security Policy: everything from this server, nothing inline, nothing elsewhere. */
export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export const DATA_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).headers(DATA_HEADERS).type('application/json; charset=utf-8').send({ error: message });
}

/**
 * Runs a handler; answers RequestError / InputError with their one-line message. Anything else goes
 * on to the app's error handler: the server core's logs it and answers a bare 500, so what to log and
 * where stays the core's decision.
 */
function handle(work: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    try {
      return await work(request, reply);
    } catch (error) {
      if (error instanceof RequestError) return fail(reply, error.status, error.message);
      if (error instanceof InputError || error instanceof UsageError) return fail(reply, 400, error.message.split('\n')[0]);
      throw error;
    }
  };
}

function uidParam(request: FastifyRequest): string {
  return checkUid((request.params as { uid?: unknown }).uid);
}

export function registerViewer(app: FastifyInstance, backend: ViewerBackend, options: ViewerOptions = {}): void {
  const files = loadStaticFiles();
  // The size of each radiograph, for checking corrections without reading the file again (a SOP
  // instance's pixels never change). Bounded: cleared when it grows past what a worklist holds.
  const sizes = new Map<string, { rows: number; columns: number }>();

  async function imageOr404(uid: string): Promise<ServedImage> {
    const image = await backend.get(uid);
    if (image === undefined) throw new RequestError(404, `no image with SOP Instance UID ${uid}`);
    return image;
  }

  async function sizeOf(uid: string): Promise<{ rows: number; columns: number }> {
    const known = sizes.get(uid);
    if (known !== undefined) return known;
    const r = await backend.radiograph(uid);
    if (r === undefined) throw new RequestError(404, `no radiograph stored for SOP Instance UID ${uid}`);
    if (sizes.size >= 20_000) sizes.clear();
    const size = { rows: r.rows, columns: r.columns };
    sizes.set(uid, size);
    return size;
  }

  const sendFile = (reply: FastifyReply, name: string): FastifyReply => {
    const file = files.get(name)!;
    return reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').type(file.type).send(file.body);
  };

  app.get('/', async (_request, reply) => sendFile(reply, 'worklist.html'));
  app.get('/study/:uid', handle(async (request, reply) => {
    uidParam(request);
    return sendFile(reply, 'study.html');
  }));
  app.get('/viewer/static/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    if (!Object.hasOwn(STATIC_FILES, name)) return fail(reply, 404, 'no such file');
    return sendFile(reply, name);
  });

  app.get('/api/viewer/worklist', handle(async (_request, reply) => {
    const images = worklist(await backend.list(), backend.showPhi);
    return reply.headers(DATA_HEADERS).send({ modelName: options.modelName ?? null, showPhi: backend.showPhi, images });
  }));

  app.get('/api/viewer/worklist.csv', handle(async (_request, reply) => {
    const csv = worklistCsv(worklist(await backend.list(), backend.showPhi), backend.showPhi);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    return reply.headers(DATA_HEADERS)
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="spinesurv-worklist-${stamp}.csv"`)
      .send(csv);
  }));

  app.get('/api/viewer/images/:uid', handle(async (request, reply) => {
    const image = await imageOr404(uidParam(request));
    return reply.headers(DATA_HEADERS).send(studyView(image, backend.showPhi));
  }));

  app.get('/api/viewer/images/:uid/pixels', handle(async (request, reply) => {
    const uid = uidParam(request);
    // Read and converted on the backend's decode thread (a 3000 x 2500 image is millions of values).
    const buffer = await backend.radiographPixels(uid);
    if (buffer === undefined) throw new RequestError(404, `no radiograph stored for SOP Instance UID ${uid}`);
    sizes.set(uid, { rows: buffer.rows, columns: buffer.columns });
    return reply.headers(DATA_HEADERS).headers({
      'x-pixel-type': buffer.type,
      'x-rows': String(buffer.rows),
      'x-columns': String(buffer.columns),
      'x-window-center': String(buffer.window.center),
      'x-window-width': String(buffer.window.width),
    }).type('application/octet-stream').send(buffer.bytes);
  }));

  app.get('/api/viewer/images/:uid/radiograph.png', handle(async (request, reply) => {
    const uid = uidParam(request);
    const window = checkWindow(request.query);
    // Read and encoded on the backend's decode thread: a large image costs other requests nothing.
    const png = await backend.radiographPng(uid, window);
    if (png === undefined) throw new RequestError(404, `no radiograph stored for SOP Instance UID ${uid}`);
    return reply.headers(DATA_HEADERS).type('image/png').send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  }));

  app.get('/api/viewer/images/:uid/heatmap.png', handle(async (request, reply) => {
    const uid = uidParam(request);
    const png = await backend.heatmapPng(uid);
    if (png === undefined) throw new RequestError(404, `no heatmap for SOP Instance UID ${uid} (not scored)`);
    return reply.headers(DATA_HEADERS).type('image/png').send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  }));

  app.post('/api/viewer/images/:uid/keypoints', { bodyLimit: BODY_LIMIT }, handle(async (request, reply) => {
    const uid = uidParam(request);
    await imageOr404(uid);
    const size = await sizeOf(uid);
    const correction = checkCorrection(request.body, size.rows, size.columns);
    const updated = await backend.correctKeypoints(uid, correction.keypoints, correction.by);
    return reply.headers(DATA_HEADERS).send(studyView(updated, backend.showPhi));
  }));

  app.post('/api/viewer/images/:uid/clinical', { bodyLimit: BODY_LIMIT }, handle(async (request, reply) => {
    const uid = uidParam(request);
    const image = await imageOr404(uid);
    const known = [...new Set([...Object.keys(image.clinical), ...image.missingClinical])];
    const clinical = checkClinical(request.body, known);
    const updated = await backend.setClinical(uid, clinical.values, clinical.by);
    return reply.headers(DATA_HEADERS).send(studyView(updated, backend.showPhi));
  }));
}
