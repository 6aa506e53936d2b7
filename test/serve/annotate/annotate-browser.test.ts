/**
 * The annotation page in headless Debian chromium (playwright-core), against `spinesurv annotate` as
 * a process with a small detector: ten radiographs annotated, seven with the mouse and keys 1-5,
 * arrows and Enter, three by accepting the detector's proposal unchanged (P); one skipped with a
 * reason (S) and the skip undone (U); the server killed with SIGKILL half-way and restarted. The
 * reference for the clicked points is the cohort generator's truth; for the proposals, what the
 * server offered the page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { readKeypoints } from '../../../src/keypoints/index.js';
import { cohortFrom, readCohortRows } from '../../../src/study/cohort.js';
import { loadConfig } from '../../../src/study/config.js';
import { checkAnnotations } from '../../../src/study/images.js';
import { launchChromium } from '../viewer/fixtures.js';
import { cli, json, smallCohort, startAnnotate, tempDir, trainingImages, truePoints, type AnnotateProcess } from './helpers.js';

describe('annotating in chromium', { timeout: 240_000 }, () => {
  let cohort: string;
  let kpPath: string;
  let detector: string;
  let server: AnnotateProcess;
  let browser: Browser;
  let page: Page;
  let train: string[];
  let sizes: Map<string, { width: number; height: number }>;

  const start = async (): Promise<void> => {
    server = await startAnnotate(['--cohort', cohort, '--keypoints', kpPath, '--detector', detector, '--order', 'file', '--retrain-first', '0']);
    // The proposals come from a child process: wait for them before the page opens a radiograph.
    for (const deadline = Date.now() + 60_000; ;) {
      const state = ((await json(`${server.url}/api/annotate/worklist`)).body.detector as { state: string }).state;
      if (state === 'ready') return;
      if (state === 'failed' || Date.now() > deadline) throw new Error(`detector ${state}: ${server.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    cohort = smallCohort('annotate-browser', 16);
    kpPath = join(cohort, 'annotated.json');
    train = trainingImages(cohort);
    assert.ok(train.length >= 11, `${train.length} training radiographs`);
    const doc = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as { images: { file_name: string; width: number; height: number }[] };
    sizes = new Map(doc.images.map((im) => [im.file_name, { width: im.width, height: im.height }]));
    detector = join(tempDir('annotate-detector'), 'model');
    cli(['landmarks', 'train', '--cohort', cohort, '--out', detector, '--epochs', '1', '--size', '64']);
    await start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGKILL');
  });

  /** Waits for the page to show a radiograph other than `previous`, ready for input; returns its index. */
  async function shown(previous: string | null): Promise<number> {
    // A selector, not a function: the page's CSP allows no eval.
    try {
      await page.waitForSelector(`body[data-ready="true"][data-index]${previous === null ? '' : `:not([data-index="${previous}"])`}`, { state: 'attached', timeout: 15_000 });
    } catch (error) {
      const said = await page.locator('#error').textContent();
      const points = await page.locator('#keypoints tbody').textContent();
      throw new Error(`${(error as Error).message}\npage error: ${said}\npoints: ${points}\nserver: ${server.stderr()}`);
    }
    return Number(await page.locator('body').getAttribute('data-index'));
  }

  /** Screen position of image point (x, y): the view fits the radiograph, centred (radiograph-view.js fit()). */
  async function screen(index: number, x: number, y: number): Promise<[number, number]> {
    const box = (await page.locator('#view').boundingBox())!;
    const { width: columns, height: rows } = sizes.get(train[index]!)!;
    const scale = Math.min(box.width / columns, box.height / rows);
    return [box.x + (box.width - columns * scale) / 2 + scale * x, box.y + (box.height - rows * scale) / 2 + scale * y];
  }

  /** Keys 1-5 select each point and a click places it; L3 is placed 2 px left and nudged back with the arrows. */
  async function annotateByHand(index: number): Promise<number[]> {
    const truth = truePoints(cohort, train[index]!);
    for (let k = 0; k < 5; k++) {
      await page.keyboard.press(String(k + 1));
      const [sx, sy] = await screen(index, truth[2 * k]! - (k === 2 ? 2 : 0), truth[2 * k + 1]!);
      await page.mouse.click(sx, sy);
    }
    await page.keyboard.press('3');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    return truth;
  }

  it('annotates ten radiographs with mouse and keys, three by accepting proposals, across a kill -9', async () => {
    await page.goto(server.url);
    await page.fill('#by', 'reader one');
    await page.press('#by', 'Enter'); // done typing: the keys act on the points
    const byHand = new Map<number, number[]>();
    const byProposal = new Map<number, number[]>();
    let previous: string | null = null;
    let done = 0;
    let skippedOnce = false;
    while (done < 10) {
      const index = await shown(previous);
      if (!skippedOnce && done === 1) {
        // S with a reason, then U: the skip is undone and the same radiograph comes back, to do.
        await page.keyboard.press('s');
        await page.keyboard.type('L5 not visible');
        await page.keyboard.press('Enter');
        const after = await shown(String(index));
        await page.keyboard.press('u');
        assert.equal(await shown(String(after)), index);
        assert.equal(await page.locator('#status').textContent(), 'to do');
        skippedOnce = true;
      }
      if (done === 2 || done === 6 || done === 9) {
        const offered = (await json(`${server.url}/api/annotate/images/${index}`)).body.proposal as { keypoints: number[] };
        await page.keyboard.press('p');
        byProposal.set(index, offered.keypoints);
      } else {
        byHand.set(index, await annotateByHand(index));
      }
      previous = String(index);
      done++;
      if (done === 5) {
        // The page has moved on only after the server answered: kill it and start again.
        await shown(previous);
        server.child.kill('SIGKILL');
        await server.exited;
        await start();
        await page.goto(server.url);
        // Another port is another origin: the browser does not remember the name there.
        await page.fill('#by', 'reader one');
        await page.press('#by', 'Enter');
        previous = null;
      }
    }
    await shown(previous); // the last one answered
    const file = readKeypoints(kpPath);
    assert.equal(file.format, 'coco-keypoints');
    for (const [index, truth] of byHand) {
      const got = [...file.lookup(train[index]!, cohort)!.keypoints!];
      got.forEach((v, i) => assert.ok(Math.abs(v - truth[i]!) < 0.75, `radiograph ${index} coordinate ${i}: ${v} vs truth ${truth[i]}`));
    }
    const doc = JSON.parse(readFileSync(kpPath, 'utf8')) as { annotations: { image_id: number; spinesurv_annotate: { proposal: string; annotator: string } }[] };
    for (const [index, proposal] of byProposal) {
      const entry = file.lookup(train[index]!, cohort)!;
      assert.deepEqual([...entry.keypoints!], proposal, `radiograph ${index}`);
      assert.equal(doc.annotations.find((a) => a.image_id === entry.imageId)!.spinesurv_annotate.proposal, 'accepted');
    }
    assert.equal(byHand.size + byProposal.size, 10);
    assert.deepEqual([...new Set(doc.annotations.map((a) => a.spinesurv_annotate.annotator))], ['reader one']);
    const coverage = checkAnnotations(cohortFrom(cohort, readCohortRows(cohort, loadConfig(undefined))), 'annotated.json');
    assert.equal(coverage.trainingAnnotated.size, 10);
  });
});
