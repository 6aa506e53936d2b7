/**
 * Opens a report in headless Debian chromium (driven by playwright-core, which downloads no browser)
 * and reports, for each <figure>, whether an SVG drew with visible marks; plus every console error
 * and failed request, so tests can assert the page is whole.
 */
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

export interface FigureCheck {
  id: string;
  svgWidth: number;
  svgHeight: number;
  /** Drawn mark elements (paths, lines, rects, text, circles) inside vega's mark groups. */
  marks: number;
  /** Marks with a non-empty bounding box. */
  visibleMarks: number;
  /** Embedded pictures (<image> in the SVG) and how many of them the browser decoded to a non-empty bitmap. */
  images: number;
  decodedImages: number;
  /** Gallery overlays: predicted and annotated keypoint markers drawn. */
  keypointMarkers: number;
}

export interface PageCheck {
  title: string;
  figures: FigureCheck[];
  consoleErrors: string[];
  failedRequests: string[];
  text: string;
}

export async function checkReport(htmlPath: string, screenshotPath?: string): Promise<PageCheck> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('requestfailed', (r) => failedRequests.push(r.url()));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const figures = await page.$$eval('figure', async (nodes) =>
      Promise.all(nodes.map(async (f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = svg ? Array.from(svg.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect, g.role-mark text, g.role-mark circle')) : [];
        const visible = marks.filter((m) => {
          const b = (m as unknown as { getBBox(): { width: number; height: number } }).getBBox();
          return b.width > 0 || b.height > 0;
        });
        const hrefs = svg ? Array.from(svg.querySelectorAll('image')).map((im) => (im as { getAttribute(name: string): string | null }).getAttribute('href') ?? '') : [];
        const decoded = await Promise.all(hrefs.map(async (href) => {
          // The page's own Image constructor (this runs in the browser; Node's types do not list it).
          const Picture = (globalThis as unknown as { Image: new () => { src: string; decode(): Promise<void>; naturalWidth: number; naturalHeight: number } }).Image;
          const img = new Picture();
          img.src = href;
          try {
            await img.decode();
            return img.naturalWidth > 0 && img.naturalHeight > 0;
          } catch {
            return false;
          }
        }));
        return {
          id: f.id,
          svgWidth: box?.width ?? 0,
          svgHeight: box?.height ?? 0,
          marks: marks.length,
          visibleMarks: visible.length,
          images: hrefs.length,
          decodedImages: decoded.filter(Boolean).length,
          keypointMarkers: svg ? svg.querySelectorAll('circle.kp-predicted, circle.kp-truth').length : 0,
        };
      })),
    );
    const title = await page.title();
    const text = await page.innerText('body');
    if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
    return { title, figures, consoleErrors, failedRequests, text };
  } finally {
    await browser.close();
  }
}
