/**
 * The done-when for the browser, through the whole server: `startServe` (the core: DICOM node,
 * SQLite store, scoring thread, fastify with an access token) on a temporary store, dcmtk's storescu
 * sends three synthetic radiographs, and once they are scored headless chromium opens the worklist
 * with ?token=, opens the highest-risk study, drags a keypoint and sees the risk change to what the
 * server computed, which equals `spinesurv predict --image --keypoints` with the corrected points.
 * No mock of the network, the DICOM client or the browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServe } from '../../../src/serve/serve.js';
import { readRadiograph } from '../../../src/imaging/index.js';
import { cli, cohortPatients, launchChromium, predictImage, tempDir, tinyImageModel } from './fixtures.js';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Node = { dataset: Record<string, string | undefined> };

const TOKEN = 'e2e-token-0123456789abcdef';

/** storescu as a child process (not spawnSync: the server answering it runs in this process). */
function storescu(port: number, files: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('storescu', ['-v', '-aet', 'TESTSCU', '-aec', 'SPINESURV', '127.0.0.1', String(port), ...files]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('serve end to end: storescu sends 3 radiographs, chromium drags a keypoint on the worklist\'s top study and sees the new risk', { timeout: 400_000 }, async () => {
  const dir = tempDir('viewer-e2e');
  const log: string[] = [];
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;
  const browser = await launchChromium();
  try {
    const model = tinyImageModel(dir);
    const cohort = join(dir, 'arrivals');
    cli(['synth', '--out', cohort, '--patients', '4', '--size', '256', '--seed', '11']);
    // SYN0002-4: the tiny detector finds L1-L5 on these (SYN0001 it flags).
    const patients = await Promise.all(cohortPatients(cohort).slice(1, 4).map(async (p) => ({ ...p, uid: (await readRadiograph(p.file, { phi: true })).phi!.SOPInstanceUID })));
    // The clinical CSV lacks the last patient: that radiograph waits for age and sex from the web page.
    const csvLines = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'clinical.csv'), csvLines.filter((l) => !l.startsWith('SYN0004,')).join('\n') + '\n');
    const waiting = patients[2];
    serve = await startServe({
      modelDir: model, storeDir: join(dir, 'store'), dicomPort: 0, httpPort: 0, token: TOKEN,
      clinicalCsv: join(dir, 'clinical.csv'), log: (line) => log.push(line),
    });
    const sent = await storescu(serve.dicomPort, patients.map((p) => p.file));
    assert.equal(sent.status, 0, sent.output);
    assert.equal((sent.output.match(/Received Store Response \(Success\)/g) ?? []).length, 3, sent.output);

    const auth = { authorization: `Bearer ${TOKEN}` };
    type Entry = { sopInstanceUid: string; status: string; risk: number | null; missingClinical: string[] };
    let entries: Entry[] = [];
    await waitFor(async () => {
      const res = await fetch(`${serve!.httpUrl}/api/viewer/worklist`, { headers: auth });
      entries = ((await res.json()) as { images: Entry[] }).images;
      return entries.length === 3 && entries.filter((e) => e.status === 'scored').length === 2 && entries[2].missingClinical.length > 0;
    }, 120_000, 'two radiographs scored, one waiting for clinical values');
    assert.equal(entries[2].sopInstanceUid, waiting.uid);
    assert.deepEqual([...entries[2].missingClinical].sort(), ['age', 'sex']);
    const risks = entries.slice(0, 2).map((e) => e.risk!);
    assert.deepEqual(risks, [...risks].sort((a, b) => b - a), 'highest risk first');

    const page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    const pageErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${serve.httpUrl}/?token=${TOKEN}`);
    await page.waitForSelector('#worklist tbody tr');
    assert.deepEqual(await page.$$eval('#worklist tbody tr', (rows) => rows.map((r) => (r as unknown as Node).dataset.uid)), entries.map((e) => e.sopInstanceUid));
    const top = entries[0];
    await Promise.all([page.waitForURL(`${serve.httpUrl}/study/${top.sopInstanceUid}`), page.click(`tr[data-uid="${top.sopInstanceUid}"] a`)]);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#risk'), top.risk!.toFixed(4));
    await page.fill('#by', 'Dr E2E');
    const box = (await page.locator('button.kp[data-kp="L2"]').boundingBox())!;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 14, at.y + 6, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((old) => (document.getElementById('risk').dataset.risk !== old || !document.getElementById('error').hidden) && document.getElementById('busy').textContent === '', String(top.risk));
    assert.equal(await page.isVisible('#error'), false, (await page.textContent('#error'))!);

    const after = (await serve.backend.get(top.sopInstanceUid))!;
    assert.equal(after.status, 'scored');
    assert.equal(after.correctedKeypoints!.by, 'Dr E2E');
    assert.notEqual(after.risk, top.risk);
    assert.equal(await page.textContent('#risk'), after.risk!.toFixed(4));
    assert.equal(await page.getAttribute('#risk', 'data-risk'), String(after.risk));
    assert.equal(await page.textContent('#keypoints tr[data-kp="L2"] td.corrected'), `${after.correctedKeypoints!.keypoints[2].toFixed(1)}, ${after.correctedKeypoints!.keypoints[3].toFixed(1)}`);
    const patient = patients.find((p) => p.uid === top.sopInstanceUid)!;
    assert.equal(Number(after.clinical.age), patient.age);
    const viaCli = predictImage(model, patient.file, patient, after.correctedKeypoints!.keypoints);
    assert.equal(viaCli.risk, after.risk);

    // The waiting radiograph: age and sex from the form on its study page, then scored by the server.
    await page.goto(`${serve.httpUrl}/study/${waiting.uid}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#clinical-age', String(waiting.age));
    await page.selectOption('#clinical-sex', waiting.sex);
    await page.click('#clinical-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('status').textContent === 'scored' || !document.getElementById('error').hidden);
    assert.equal(await page.isVisible('#error'), false, (await page.textContent('#error'))!);
    const filled = (await serve.backend.get(waiting.uid))!;
    const fromCli = predictImage(model, waiting.file, waiting);
    assert.equal(filled.risk, fromCli.risk);
    assert.equal(await page.textContent('#risk'), fromCli.risk.toFixed(4));
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await serve?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
