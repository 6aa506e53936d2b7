/**
 * The annotation page's routes (`spinesurv annotate`), on the viewer's static files and headers:
 *   GET  /                                   the annotation page
 *   GET  /viewer/static/:name                the pages' CSS and ES modules (the viewer's fixed list)
 *   GET  /api/annotate/worklist              {items: [{index, line, split, status, uncertainty}], order, counts, detector}
 *   GET  /api/annotate/next?after=I          {index}: the next radiograph to do in the worklist order (null: none left)
 *   GET  /api/annotate/images/:index         {index, line, split, status, revision, keypoints, annotator, reason, proposal}
 *   GET  /api/annotate/images/:index/pixels  modality values as the viewer's pixels route sends them; 422 with the
 *                                            reader's reason when the radiograph cannot be read
 *   POST /api/annotate/images/:index/accept  {keypoints: [x1, y1, ..., x5, y5], by, seconds, revision}
 *   POST /api/annotate/images/:index/skip    {reason, by, seconds, revision}
 *   POST /api/annotate/images/:index/undo    {revision}
 * A change answers the image's new state once the keypoints file is on disk; 409 when the image or
 * the file changed meanwhile (annotation-store.ts), 400 for a malformed body (annotate-checks.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readRadiograph, readRadiographHeader, RadiographReadError } from '../../imaging/index.js';
import { RequestError } from '../change-checks.js';
import { pixelBuffer } from '../viewer/pixels.js';
import { DATA_HEADERS, PAGE_HEADERS } from '../viewer/routes.js';
import { loadStaticFiles, STATIC_FILES } from '../viewer/static-files.js';
import { checkAccept, checkIndex, checkSkip, checkUndo } from './annotate-checks.js';
import type { AnnotationStore } from './annotation-store.js';
import type { DetectorLoop, Proposal } from './detector-loop.js';
import type { AnnotateItem } from './worklist-items.js';

export type WorklistOrder = 'uncertainty' | 'file';

export interface AnnotateContext {
  items: AnnotateItem[];
  store: AnnotationStore;
  detector: DetectorLoop;
  order: WorklistOrder;
}

/** Paths that need no token: the page and its static files (no patient data). */
export function isAnnotatePublicPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/' || /^\/viewer\/static\/[a-z-]+\.(html|css|js)$/.test(path);
}

interface ImageFacts {
  size: { rows: number; columns: number };
  spacing: [number, number] | null;
}

export function registerAnnotate(app: FastifyInstance, c: AnnotateContext): void {
  const files = loadStaticFiles();
  const facts = new Map<number, ImageFacts>();
  const sendFile = (reply: FastifyReply, name: string): FastifyReply => {
    const file = files.get(name)!;
    return reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').type(file.type).send(file.body);
  };
  const itemOf = (request: FastifyRequest): AnnotateItem => c.items[checkIndex((request.params as { index?: unknown }).index, c.items.length)]!;

  /** Size and spacing from the header (the pixels are not decoded); an unreadable file is a 422 with the reason. */
  async function factsOf(item: AnnotateItem): Promise<ImageFacts> {
    const known = facts.get(item.index);
    if (known !== undefined) return known;
    try {
      const h = await readRadiographHeader(item.path);
      const f = { size: { rows: h.rows, columns: h.columns }, spacing: h.pixelSpacing };
      facts.set(item.index, f);
      return f;
    } catch (error) {
      if (error instanceof RadiographReadError) throw new RequestError(422, `the radiograph of cohort line ${item.line} cannot be read: ${error.reason}`);
      throw error;
    }
  }

  /** The worklist order: by the detector's uncertainty (least confident first) when it has proposals, else by file. */
  function ordered(): AnnotateItem[] {
    if (c.order === 'file') return c.items;
    const u = (i: AnnotateItem): number => c.detector.uncertainty(i.index) ?? -1;
    return [...c.items].sort((a, b) => u(b) - u(a) || a.index - b.index);
  }

  /**
   * The detector's proposal with its points kept inside the image (a heatmap peak can be decoded just
   * past the edge), so that accepting it unchanged is a valid annotation. Null when there is none or
   * the radiograph cannot be read.
   */
  async function proposalOf(item: AnnotateItem): Promise<Proposal | null> {
    const p = c.detector.proposal(item.index);
    if (p === undefined) return null;
    const f = await factsOf(item).catch(() => null);
    if (f === null) return null;
    const keypoints = p.keypoints.map((v, i) => Math.min(i % 2 === 0 ? f.size.columns : f.size.rows, Math.max(0, v)));
    return { ...p, keypoints };
  }

  const imageJson = async (item: AnnotateItem): Promise<Record<string, unknown>> => {
    const s = c.store.state(item.index);
    const p = await proposalOf(item);
    return {
      index: item.index, line: item.line, split: item.split, status: s.status, revision: s.revision, keypoints: s.keypoints,
      annotator: s.annotator, reason: s.reason, proposal: p === null ? null : { keypoints: p.keypoints, score: p.score, flags: p.flags },
    };
  };

  app.get('/', async (_request, reply) => sendFile(reply, 'annotate.html'));
  app.get('/viewer/static/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    if (!Object.hasOwn(STATIC_FILES, name)) return reply.code(404).headers(DATA_HEADERS).send({ error: 'no such file' });
    return sendFile(reply, name);
  });

  app.get('/api/annotate/worklist', async (_request, reply) => {
    const items = ordered().map((i) => ({ index: i.index, line: i.line, split: i.split, status: c.store.state(i.index).status, uncertainty: c.detector.uncertainty(i.index) }));
    return reply.headers(DATA_HEADERS).send({ items, order: c.order, counts: c.store.counts(), detector: c.detector.status() });
  });

  app.get('/api/annotate/next', async (request, reply) => {
    const after = Number((request.query as { after?: string }).after ?? -1);
    const todo = ordered().filter((i) => c.store.state(i.index).status === 'todo' && i.index !== after);
    return reply.headers(DATA_HEADERS).send({ index: todo[0]?.index ?? null });
  });

  app.get('/api/annotate/images/:index', async (request, reply) => reply.headers(DATA_HEADERS).send(await imageJson(itemOf(request))));

  app.get('/api/annotate/images/:index/pixels', async (request, reply) => {
    const item = itemOf(request);
    let r;
    try {
      r = await readRadiograph(item.path);
    } catch (error) {
      if (error instanceof RadiographReadError) throw new RequestError(422, `the radiograph of cohort line ${item.line} cannot be read: ${error.reason}`);
      throw error;
    }
    facts.set(item.index, { size: { rows: r.rows, columns: r.columns }, spacing: r.pixelSpacing });
    const buffer = pixelBuffer(r);
    return reply.headers(DATA_HEADERS).headers({
      'x-pixel-type': buffer.type, 'x-rows': String(buffer.rows), 'x-columns': String(buffer.columns),
      'x-window-center': String(r.window.center), 'x-window-width': String(r.window.width),
    }).type('application/octet-stream').send(buffer.bytes);
  });

  app.post('/api/annotate/images/:index/accept', async (request, reply) => {
    const item = itemOf(request);
    const f = await factsOf(item);
    const a = checkAccept(request.body, f.size.rows, f.size.columns);
    const proposal = (await proposalOf(item))?.keypoints ?? null;
    await c.store.accept(item, { keypoints: a.keypoints, annotator: a.by, seconds: a.seconds, revision: a.revision, proposal, size: f.size, spacing: f.spacing });
    c.detector.accepted(c.store.acceptedImageIds());
    return reply.headers(DATA_HEADERS).send(await imageJson(item));
  });

  app.post('/api/annotate/images/:index/skip', async (request, reply) => {
    const item = itemOf(request);
    const s = checkSkip(request.body);
    // A radiograph that cannot be read can still be skipped (that is the usual reason): no facts then.
    const f = await factsOf(item).catch(() => null);
    await c.store.skip(item, { ...s, annotator: s.by, size: f?.size ?? null, spacing: f?.spacing ?? null });
    return reply.headers(DATA_HEADERS).send(await imageJson(item));
  });

  app.post('/api/annotate/images/:index/undo', async (request, reply) => {
    const item = itemOf(request);
    await c.store.undo(item, checkUndo(request.body).revision);
    return reply.headers(DATA_HEADERS).send(await imageJson(item));
  });
}
