/**
 * The web viewer (src/serve/viewer, written beside the core) is mounted on the core's fastify app
 * when this build has it: its routes.ts exports registerViewer(app, backend, options) and
 * isViewerPublicPath(url) (its pages and static files, which carry no patient data and need no
 * token). Loaded by a computed path so that the core builds and runs on its own too.
 */
import type { FastifyInstance } from 'fastify';
import type { ViewerBackend } from './backend.js';

interface ViewerModule {
  registerViewer(app: FastifyInstance, backend: ViewerBackend, options?: { modelName?: string }): void;
  isViewerPublicPath(url: string): boolean;
}

export interface MountedViewer {
  mounted: boolean;
  /** Paths that need no token (the viewer's pages); none without the viewer. */
  isPublic(url: string): boolean;
}

export async function mountViewer(app: FastifyInstance, backend: ViewerBackend, options: { modelName?: string }): Promise<MountedViewer> {
  const path = './viewer/routes.js';
  let module: ViewerModule;
  try {
    module = (await import(path)) as ViewerModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('viewer/routes.js')) return { mounted: false, isPublic: () => false };
    throw error;
  }
  module.registerViewer(app, backend, options);
  return { mounted: true, isPublic: (url) => module.isViewerPublicPath(url) };
}
