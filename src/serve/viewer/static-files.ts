/**
 * The viewer's pages, styles and scripts: plain files in ./static (no build step, nothing from the
 * network), read once when the routes are registered and served from memory by name. Only the names
 * listed here exist, so no request path ever reaches the file system.
 *
 * tsc compiles src/ into dist/src/ but copies no other files; the files are found next to this module
 * when something copied them there, otherwise in the source tree (dist/src/serve/viewer -> src/serve/viewer).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const STATIC_FILES: Record<string, string> = {
  'worklist.html': 'text/html; charset=utf-8',
  'study.html': 'text/html; charset=utf-8',
  'viewer.css': 'text/css; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'worklist.js': 'text/javascript; charset=utf-8',
  'study.js': 'text/javascript; charset=utf-8',
  'radiograph-view.js': 'text/javascript; charset=utf-8',
  'window-controls.js': 'text/javascript; charset=utf-8',
  // `spinesurv annotate`'s page (the same viewer in annotation mode).
  'annotate.html': 'text/html; charset=utf-8',
  'annotate.js': 'text/javascript; charset=utf-8',
};

export function staticFolder(): string {
  const candidates = [new URL('./static/', import.meta.url), new URL('../../../../src/serve/viewer/static/', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(`${path}worklist.html`)) return path;
  }
  throw new Error(`web viewer: static files not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(' and ')})`);
}

export interface StaticFile {
  type: string;
  body: Buffer;
}

export function loadStaticFiles(): Map<string, StaticFile> {
  const folder = staticFolder();
  const out = new Map<string, StaticFile>();
  for (const [name, type] of Object.entries(STATIC_FILES)) out.set(name, { type, body: readFileSync(`${folder}${name}`) });
  return out;
}
