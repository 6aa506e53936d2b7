import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../src/report/html.js';
import { checkReport } from './browser.js';
import { fixtureAssets, fixtureResults } from './fixture.js';

const FIGURE_IDS = [
  'gallery-keypoints', 'roc-variants', 'forest-all', 'forest-women', 'km-coxph_m3_all', 'km-deepsurv_m3_women',
  'calibration-all', 'calibration-women', 'gradcam-deepsurv_image_m3_all',
];

async function render(): Promise<string> {
  const assets = await fixtureAssets();
  return renderReport(fixtureResults(), { readAsset: (f) => assets.get(f)! });
}

test('the report is one self-contained page: no script, nothing fetched, every figure an inline SVG', async () => {
  const html = await render();
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<(img|link|iframe)\b/i);
  // The only URLs are SVG namespace declarations; pictures are data URIs.
  const urls = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, '').match(/(https?:)?\/\/[^\s"')<]+/g) ?? [];
  assert.ok(urls.every((u) => u.includes('www.w3.org')), `unexpected URLs: ${urls.join(' ')}`);
  assert.ok([...html.matchAll(/<image href="([^"]*)"/g)].every((m) => m[1].startsWith('data:image/png;base64,')));
  assert.equal((html.match(/<figure /g) ?? []).length, FIGURE_IDS.length);
  assert.equal((html.match(/<svg /g) ?? []).length, FIGURE_IDS.length);
  // SVG ids stay unique across the inline figures.
  const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
  for (const text of [
    'Table 1. Baseline characteristics', 'Table 2. Preprocessing variants', 'Keypoints: L1–L5 detector', 'Paired comparisons',
    'Number at risk', 'Calibration at 3 years', 'Rows read', 'Grad-CAM', 'Best, every CSV column', "Share of the oracle's gain",
  ]) {
    assert.ok(html.includes(text), text);
  }
  // The clinical line is not called a ceiling for every model without the image.
  assert.doesNotMatch(html, /best (score )?without (the )?image/i);
});

test('a results.json with galleries needs their pictures', async () => {
  await assert.rejects(renderReport(fixtureResults()), /readAsset/);
});

test('the report renders in headless Chromium: every figure drew, every picture decoded, and the console is clean', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-report-'));
  try {
    const path = join(dir, 'report.html');
    writeFileSync(path, await render());
    const page = await checkReport(path);
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.failedRequests, []);
    assert.deepEqual(page.figures.map((f) => f.id), FIGURE_IDS);
    for (const f of page.figures) {
      assert.ok(f.svgWidth > 200 && f.svgHeight > 150, `${f.id} has a size`);
      if (f.id.startsWith('gallery') || f.id.startsWith('gradcam')) {
        assert.equal(f.images, 6, `${f.id} holds six pictures`);
        assert.equal(f.decodedImages, 6, `${f.id}: every picture decoded`);
      } else if (f.id !== 'roc-variants') {
        assert.ok(f.visibleMarks >= 8, `${f.id} drew ${f.visibleMarks} marks`);
      }
    }
    // 5 predicted dots and 5 annotation rings on each of the 6 keypoint tiles.
    assert.equal(page.figures[0].keypointMarkers, 60);
    // Each forest plot draws a whisker and a point per model (11 per subgroup) besides its reference lines.
    for (const f of page.figures.filter((g) => g.id.startsWith('forest'))) assert.ok(f.visibleMarks >= 22, f.id);
    // Six ROC curves and the diagonal.
    assert.ok(page.figures[1].visibleMarks >= 7);
    assert.match(page.text, /FRAX 0\.547 \(0\.467 to 0\.617\)/);
    assert.match(page.text, /L1–L5 body patches, without masks \(chosen\)/);
    assert.match(page.text, /DeepSurv with images, model 3\s+28 \(-10 to 60\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
