import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../src/report/html.js';
import { checkReport } from './browser.js';
import { fixtureResults } from './fixture.js';

test('the report is one self-contained page: no script, nothing fetched, every figure an inline SVG', async () => {
  const html = await renderReport(fixtureResults());
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<(img|link|iframe)\b/i);
  // The only URLs are SVG namespace declarations.
  const urls = html.match(/(https?:)?\/\/[^\s"')<]+/g) ?? [];
  assert.ok(urls.every((u) => u.includes('www.w3.org')), `unexpected URLs: ${urls.join(' ')}`);
  assert.equal((html.match(/<figure /g) ?? []).length, 6);
  assert.equal((html.match(/<svg /g) ?? []).length, 6);
  // SVG ids stay unique across the inline figures.
  const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
  for (const text of ['Table 1. Baseline characteristics', 'Paired comparisons', 'Number at risk', 'Calibration at 3 years', 'Rows read']) {
    assert.ok(html.includes(text), text);
  }
});

test('the report renders in headless Chromium: every figure drew and the console is clean', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-report-'));
  try {
    const path = join(dir, 'report.html');
    writeFileSync(path, await renderReport(fixtureResults()));
    const page = await checkReport(path);
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.failedRequests, []);
    assert.deepEqual(page.figures.map((f) => f.id), ['forest-all', 'forest-women', 'km-coxph_m3_all', 'km-deepsurv_m3_women', 'calibration-all', 'calibration-women']);
    for (const f of page.figures) {
      assert.ok(f.svgWidth > 200 && f.svgHeight > 150, `${f.id} has a size`);
      assert.ok(f.visibleMarks >= 8, `${f.id} drew ${f.visibleMarks} marks`);
    }
    // Each forest plot draws a whisker and a point per model (7 per subgroup) besides its reference lines.
    for (const f of page.figures.filter((g) => g.id.startsWith('forest'))) assert.ok(f.visibleMarks >= 14, f.id);
    assert.match(page.text, /FRAX 0\.547 \(0\.467 to 0\.617\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
