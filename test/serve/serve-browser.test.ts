/**
 * Issue 15's whole chain with real clients only: dcmtk's storescu sends radiographs to a real
 * `spinesurv serve` process (with a token and --forward to dcmtk's storescp); headless Debian chromium
 * (playwright-core) opens the worklist with ?token=, opens the highest-risk study, drags L3 and sees
 * the risk change. The new risk must be what /api/results reports and what `spinesurv predict --image
 * --keypoints` gives for the corrected points (an independent path through the CLI), and the PACS must
 * receive a new capture and report for the re-scored image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './viewer/fixtures.js';
import { acknowledged, bin, freePort, getJson, radiographs, startServe, storescu, tempDir, tinyImageModel, waitFor, type ResultJson } from './helpers.js';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
declare const document: { getElementById(id: string): { dataset: Record<string, string | undefined>; hidden: boolean; textContent: string | null } | null };

test('storescu -> serve -> chromium: the worklist, a study, a dragged keypoint re-scores (= predict --keypoints) and goes to the PACS again', { timeout: 300_000 }, async () => {
  const dir = tempDir('serve-browser');
  const token = 'browser-test-token-0123456789';
  const auth = { authorization: `Bearer ${token}` };
  const pacsPort = await freePort();
  const pacsDir = join(dir, 'pacs');
  mkdirSync(pacsDir);
  const storescp = spawn('storescp', ['-aet', 'PACS', '-od', pacsDir, String(pacsPort)], { stdio: 'ignore' });
  let serve: Awaited<ReturnType<typeof startServe>> | null = null;
  const browser = await launchChromium();
  try {
    const model = tinyImageModel(dir);
    const files = radiographs(join(dir, 'send'), 6, 11);
    serve = await startServe(['--model', model, '--store', join(dir, 'store'), '--forward', `PACS@127.0.0.1:${pacsPort}`], { ...process.env, SPINESURV_TOKEN: token });
    assert.equal(acknowledged(storescu(serve.dicomPort, files).output).success.length, 6);
    const list = async (): Promise<ResultJson[]> => (await getJson<ResultJson[]>(`${serve!.httpUrl}/api/results`, auth)).body;
    await waitFor(async () => (await list()).every((r) => r.status !== 'received') && (await list()).length === 6, 60_000, 'six results');
    const scored = (await list()).filter((r) => r.status === 'scored');
    assert.ok(scored.length >= 2, 'at least two scored');
    await waitFor(() => readdirSync(pacsDir).length === 2 * scored.length, 60_000, 'results forwarded');
    const top = scored.reduce((a, b) => (b.risk! > a.risk! ? b : a));

    const page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    await page.goto(`${serve.httpUrl}/?token=${token}`);
    await page.waitForSelector('#worklist tbody tr');
    const firstRow = await page.getAttribute('#worklist tbody tr', 'data-uid');
    assert.equal(firstRow, top.sop_instance_uid, 'highest risk first');
    await Promise.all([page.waitForURL(`${serve.httpUrl}/study/${top.sop_instance_uid}`), page.click(`tr[data-uid="${top.sop_instance_uid}"] a`)]);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#risk'), top.risk!.toFixed(4));

    await page.fill('#by', 'Dr Test');
    const l3 = (await page.locator('button.kp[data-kp="L3"]').boundingBox())!;
    const [x, y] = [l3.x + l3.width / 2, l3.y + l3.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 16, y - 10, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((old) => (document.getElementById('risk')!.dataset.risk !== old || !document.getElementById('error')!.hidden) && document.getElementById('busy')!.textContent === '', String(top.risk));
    assert.equal(await page.isVisible('#error'), false, (await page.textContent('#error')) ?? '');

    const after = (await list()).find((r) => r.sop_instance_uid === top.sop_instance_uid)!;
    assert.equal(after.keypoints_corrected, true);
    assert.notEqual(after.risk, top.risk, 'the risk changed');
    assert.equal(await page.textContent('#risk'), after.risk!.toFixed(4), 'the page shows the server\'s new risk');
    const study = (await getJson<{ correctedKeypoints: { keypoints: number[]; by: string } }>(`${serve.httpUrl}/api/viewer/images/${top.sop_instance_uid}`, auth)).body;
    assert.equal(study.correctedKeypoints.by, 'Dr Test');
    const file = files.find((f) => spawnSync('dcmdump', ['+P', '0008,0018', f], { encoding: 'utf8' }).stdout.includes(top.sop_instance_uid))!;
    const viaCli = spawnSync(process.execPath, [bin, 'predict', '--model', model, '--image', file, '--keypoints', study.correctedKeypoints.keypoints.map(String).join(','), '--json'], { encoding: 'utf8' });
    assert.equal(viaCli.status, 0, viaCli.stderr);
    assert.equal((JSON.parse(viaCli.stdout) as { risk: number }).risk, after.risk, 'predict --keypoints gives the same risk');
    // The re-scored result goes to the PACS as a new capture and report.
    await waitFor(() => readdirSync(pacsDir).length === 2 * scored.length + 2, 60_000, 'the corrected result forwarded');
  } finally {
    await browser.close();
    if (serve !== null) assert.equal(await serve.stop(), 0, serve.stderr());
    storescp.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
