/**
 * Vega-Lite spec -> standalone SVG string, rendered in Node by vega's headless view (no canvas, no
 * DOM, no browser), so the report can inline its figures and needs no script to show them.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders one figure. `id` prefixes the SVG's internal ids (clip paths), which vega numbers per
 * process; the prefix keeps them unique when several SVGs sit inline in one page and makes the output
 * independent of how many figures were drawn before.
 */
export async function renderSvg(spec: TopLevelSpec, id: string): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const safeId = id.replace(/[^A-Za-z0-9_-]/g, '-');
    return svg
      .replace(/id="([^"]+)"/g, (_, name: string) => `id="${safeId}-${name}"`)
      .replace(/url\(#([^)]+)\)/g, (_, name: string) => `url(#${safeId}-${name})`);
  } finally {
    view.finalize();
  }
}
