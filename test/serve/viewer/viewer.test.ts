/**
 * The web viewer end to end over the real server: `startServe` in this process (the DICOM node, the
 * SQLite store, the scoring thread with a tiny model trained here, fastify demanding a token on /api/),
 * dcmtk's storescu sending synthetic radiographs, and headless Debian chromium driven by
 * playwright-core. The browser opens the worklist with ?token=, checks the order by risk and the
 * warning badge, opens a study with the keyboard, drags a keypoint with the mouse and sees the new
 * risk, which must equal `spinesurv predict --image --keypoints` with the corrected points (an
 * independent path through the CLI), sees the history of changes, fills a missing clinical value,
 * downloads the CSV and checks it with csv-parse. The server-rendered PNG is checked against dcmtk's
 * dcm2pnm with the same window. Then the same chain through a real `spinesurv serve` process (token from
 * SPINESURV_TOKEN, --forward to dcmtk's storescp): the corrected result goes to the PACS again.
 * No mock of the network, the DICOM client, the backend or the browser.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { startServe, type RunningServe } from '../../../src/serve/serve.js';
import { WORKLIST_CSV_COLUMNS } from '../../../src/serve/viewer/worklist-csv.js';
import { readRadiograph, writeDicom } from '../../../src/imaging/index.js';
import { scoreView, type ScoreView, type ServedImage, type ViewerBackend } from '../../../src/serve/backend.js';
import {
  acknowledged, bin, cli, freePort, getJson, radiographs, startServe as startServeProcess, storescu, storescuAsync, tempDir, tinyImageModel, waitFor,
  type ResultJson, type ServeProcess,
} from '../helpers.js';
import { cohortPatients, launchChromium, predictImage, readPgm, type CohortPatient } from './fixtures.js';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
type Node = { dataset: Record<string, string | undefined> };

const TOKEN = 'test-token-4d9c2e0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe('web viewer over the real server, storescu and chromium', { timeout: 600_000 }, () => {
  let dir: string;
  let model: string;
  let serve: RunningServe;
  let backend: ViewerBackend;
  let base: string;
  let browser: Browser;
  let patients: (CohortPatient & { uid: string; sexGiven: boolean })[];
  /** A copy of a radiograph whose header says Patient's Age 030M: scored as an extrapolation. */
  let young: { file: string; uid: string };
  /** A radiograph turned on its side: refused by the input checks, whatever the detector makes of it. */
  let turned: { file: string; uid: string };
  const log: string[] = [];
  const pageErrors: string[] = [];

  const open = async (showPhi: boolean): Promise<void> => {
    serve = await startServe({
      modelDir: model, storeDir: join(dir, 'store'), dicomPort: 0, httpPort: 0, token: TOKEN, showPhi,
      clinicalCsv: join(dir, 'clinical.csv'), log: (line) => log.push(line),
    });
    backend = serve.backend;
    base = serve.httpUrl;
  };

  before(async () => {
    dir = tempDir('viewer');
    model = tinyImageModel(dir, { clinical: 1 });
    const cohort = join(dir, 'arrivals');
    cli(['synth', '--out', cohort, '--patients', '6', '--size', '256', '--seed', '11']);
    // The fourth and the last arrival have no sex in the CSV (nor in the header): each waits for it.
    const lines = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n');
    const sexColumn = lines[0].split(',').indexOf('sex');
    writeFileSync(join(dir, 'clinical.csv'), lines.map((line, i) => {
      if (i !== 4 && i !== 6) return line;
      const cells = line.split(',');
      cells[sexColumn] = '';
      return cells.join(',');
    }).join('\n') + '\n');
    patients = await Promise.all(cohortPatients(cohort).map(async (p, i) => ({
      ...p, uid: (await readRadiograph(p.file, { phi: true })).phi!.SOPInstanceUID, sexGiven: i !== 3 && i !== 5,
    })));
    const youngFile = join(dir, 'young.dcm');
    copyFileSync(patients[1].file, youngFile);
    assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', '(0010,0020)=YOUNG', '-i', '(0010,1010)=030M', '-i', '(0010,0040)=F', youngFile]).status, 0);
    young = { file: youngFile, uid: (await readRadiograph(youngFile, { phi: true })).phi!.SOPInstanceUID };
    const upright = await readRadiograph(patients[2].file);
    const sideways = new Uint16Array(upright.pixels.length);
    for (let i = 0; i < upright.columns; i++) for (let j = 0; j < upright.rows; j++) sideways[i * upright.rows + j] = upright.pixels[(upright.rows - 1 - j) * upright.columns + i];
    const turnedFile = join(dir, 'turned.dcm');
    writeDicom(turnedFile, { pixels: sideways, rows: upright.columns, columns: upright.rows, bitsStored: 12, pixelSpacing: upright.pixelSpacing!, patientId: 'TURNED' });
    assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', '(0010,1010)=065Y', '-i', '(0010,0040)=F', turnedFile]).status, 0);
    turned = { file: turnedFile, uid: (await readRadiograph(turnedFile, { phi: true })).phi!.SOPInstanceUID };
    await open(false);
    // One association per file, in order, so that they arrive (and are listed) in this order.
    for (const file of [...patients.map((p) => p.file), youngFile, turnedFile]) {
      const sent = await storescuAsync(serve.dicomPort, [file]);
      assert.deepEqual(acknowledged(sent.output).success, [file], sent.output);
    }
    await waitFor(async () => (await flatList()).every((i) => i.status !== 'received' || i.missingClinical.length > 0), 120_000, 'every arrival scored or waiting');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await serve?.close();
    assert.ok(!log.some((l) => /SYN\d{4}|SYNTHETIC/.test(l)), 'no patient ID or name in the log');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  /** The backend's images with their scores flat, as the study page's JSON has them: what the pages show. */
  type FlatImage = ServedImage & ScoreView;
  const flat = (image: ServedImage): FlatImage => ({ ...image, ...scoreView(image.outcome) });
  const flatList = async (): Promise<FlatImage[]> => (await backend.list()).map(flat);
  const flatGet = async (uid: string): Promise<FlatImage | undefined> => {
    const image = await backend.get(uid);
    return image === undefined ? undefined : flat(image);
  };

  const api = async (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}${path}`, { ...init, headers: { ...AUTH, ...(init.headers ?? {}) } });

  /** The worklist order worked out here: scored by risk, highest first; the rest by arrival. */
  function expectedOrder(images: FlatImage[]): string[] {
    const scored = images.filter((i) => i.risk !== null).sort((a, b) => b.risk! - a.risk!);
    const rest = images.filter((i) => i.risk === null).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    return [...scored, ...rest].map((i) => i.sopInstanceUid);
  }

  it('in chromium: a study opened while it waits shows the score when another client gives the missing value', async () => {
    const pending = patients[3];
    assert.equal((await flatGet(pending.uid))!.status, 'received');
    const page = await newPage();
    await page.goto(`${base}/study/${pending.uid}?token=${TOKEN}`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#status'), 'waiting');
    assert.equal(await page.textContent('#risk'), '–');
    // Another system gives the value through the JSON API; the open page looks again and shows the score.
    const put = await api(`/api/results/${pending.uid}/clinical`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { sex: pending.sex }, by: 'RIS feed' }) });
    assert.equal(put.status, 200);
    const scored = (await flatGet(pending.uid))!;
    assert.ok(scored.status === 'scored' || scored.status === 'flagged', scored.status);
    await page.waitForFunction((want: string) => document.getElementById('status').textContent === want, scored.status, { timeout: 15_000 });
    assert.equal(await page.textContent('#risk'), scored.risk === null ? '–' : scored.risk.toFixed(4));
    assert.match((await page.textContent('#history li'))!, new RegExp(`RIS feed: set sex = ${pending.sex}$`));
    if (scored.status === 'scored') await page.waitForSelector('#heatmap-on:enabled');
    await page.context().close();
  });

  it('in chromium: without the token the worklist says how to open it, and shows no data', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('#error:not([hidden])');
    assert.match((await page.textContent('#error'))!, /needs its access token: open this page as \/\?token=TOKEN/);
    assert.equal(await page.locator('#worklist tbody tr').count(), 0);
    await page.context().close();
    // The 401s the page met are expected here; the other pages must meet none.
    pageErrors.length = 0;
  });

  it('has a mix to look at: scored, flagged and waiting for a clinical value', async () => {
    const images = await flatList();
    assert.ok(images.filter((i) => i.status === 'scored').length >= 2, 'two scored');
    // The turned radiograph, by the input checks (no weights involved); the detector may flag others.
    const refused = images.find((i) => i.sopInstanceUid === turned.uid)!;
    assert.equal(refused.status, 'flagged');
    assert.match(refused.flags.join('; '), /^the image is wider than tall \(256 x 205\)/);
    assert.match(refused.reason!, /: not a lateral lumbar radiograph \(the image is wider than tall/);
    assert.deepEqual(refused.predictedKeypoints, null, 'refused before the detector');
    const warned = images.find((i) => i.sopInstanceUid === young.uid)!;
    assert.equal(warned.status, 'scored');
    assert.match(warned.warnings.join(), /^age 2\.5 is outside the training range .*; the risk is an extrapolation$/);
    const waiting = images.find((i) => i.sopInstanceUid === patients[5].uid)!;
    assert.equal(waiting.status, 'received');
    assert.deepEqual(waiting.missingClinical, ['sex']);
  });

  it('answers the worklist sorted by risk, without PHI unless --show-phi', async () => {
    const res = await api('/api/viewer/worklist');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    const body = JSON.parse(text) as { modelName: string; showPhi: boolean; images: { sopInstanceUid: string; risk: number | null; patientName?: string }[] };
    assert.equal(body.modelName, JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).name);
    assert.equal(body.showPhi, false);
    assert.deepEqual(body.images.map((i) => i.sopInstanceUid), expectedOrder(await flatList()));
    assert.ok(!text.includes('SYNTHETIC'), 'no patient name in the JSON');
    const csv = await (await api('/api/viewer/worklist.csv')).text();
    assert.ok(!csv.includes('SYNTHETIC') && !csv.includes('patient_name'), 'no patient name in the CSV');
  });

  it('refuses bad UIDs and unknown images before the backend, and /api/ without the token', async () => {
    assert.equal((await fetch(`${base}/api/viewer/worklist`)).status, 401);
    for (const bad of ['abc', '1.2.3a', '..%2F..%2Fetc%2Fpasswd', '1..2', `1.${'2'.repeat(64)}`, '.1']) {
      const res = await api(`/api/viewer/images/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.match(((await res.json()) as { error: string }).error, /not a DICOM UID/);
      assert.equal((await api(`/api/viewer/images/${bad}/pixels`)).status, 400, bad);
    }
    assert.equal((await api('/study/..%2F..%2Fetc')).status, 400);
    const missing = await api('/api/viewer/images/1.2.3.4');
    assert.equal(missing.status, 404);
    assert.equal((await api('/api/viewer/images/1.2.3.4/heatmap.png')).status, 404);
    assert.equal((await api('/viewer/static/..%2Froutes.js')).status, 404);
    assert.equal((await api('/viewer/static/secret.txt')).status, 404);
    assert.equal((await fetch(`${base}/viewer/static/api.js`)).status, 200);
  });

  it('a bad correction gets 400 with a message and never reaches the backend', async () => {
    const uid = patients.find((p) => p.sexGiven)!.uid;
    const good = (await flatGet(uid))!.predictedKeypoints!;
    const before = (await flatGet(uid))!.changes.length;
    const post = (body: unknown): Promise<Response> => api(`/api/viewer/images/${uid}/keypoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases: [unknown, RegExp][] = [
      [{ keypoints: good.slice(0, 9), by: 'A' }, /10 numbers/],
      [{ keypoints: [...good.slice(0, 9), '12'], by: 'A' }, /L5 y\): not a finite number/],
      [{ keypoints: [...good.slice(0, 9), null], by: 'A' }, /not a finite number/],
      [{ keypoints: [300, ...good.slice(1)], by: 'A' }, /L1 x\) = 300: outside the image \(0\.\.205\)/],
      [{ keypoints: [...good.slice(0, 3), -1, ...good.slice(4)], by: 'A' }, /L2 y\) = -1: outside the image/],
      [{ keypoints: good }, /"by"/],
      [{ keypoints: good, by: '  ' }, /"by"/],
      [{ keypoints: good, by: 'a\nb' }, /control characters/],
      [[1, 2, 3], /expected a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    const huge = await post({ keypoints: good, by: 'x'.repeat(20_000) });
    assert.equal(huge.status, 413);
    const notJson = await api(`/api/viewer/images/${uid}/keypoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"keypoints": [1,' });
    assert.equal(notJson.status, 400);
    assert.equal((await flatGet(uid))!.changes.length, before, 'no refused correction was stored');

    const clinical = (body: unknown): Promise<Response> => api(`/api/viewer/images/${uid}/clinical`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let res = await clinical({ values: { bmi: 24 }, by: 'A' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /"bmi": not a clinical value of this model \(age, sex\)/);
    res = await clinical({ values: { age: 'old' }, by: 'A\u0007' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /control characters/);
    assert.equal((await flatGet(uid))!.changes.length, before, 'no refused clinical value was stored');
  });

  it('serves the modality values unchanged and a PNG through a window as dcmtk draws it', async () => {
    const p = patients[1];
    const r = await readRadiograph(p.file);
    const res = await api(`/api/viewer/images/${p.uid}/pixels`);
    assert.equal(res.headers.get('x-pixel-type'), 'uint16');
    assert.equal(Number(res.headers.get('x-rows')), r.rows);
    assert.equal(Number(res.headers.get('x-columns')), r.columns);
    assert.equal(Number(res.headers.get('x-window-center')), r.window.center);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.length, 2 * r.rows * r.columns);
    for (let i = 0; i < r.pixels.length; i++) if (bytes.readUInt16LE(2 * i) !== r.pixels[i]) assert.fail(`pixel ${i}`);

    const [center, width] = [2100, 1400];
    const png = await api(`/api/viewer/images/${p.uid}/radiograph.png?center=${center}&width=${width}`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const pngBytes = Buffer.from(await png.arrayBuffer());
    const meta = await sharp(pngBytes).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels, meta.depth], [r.columns, r.rows, 1, 'uchar']);
    // sharp hands greyscale back as RGB: read the first channel.
    const rgb = await sharp(pngBytes).raw().toBuffer({ resolveWithObject: true });
    const decoded = { data: Uint8Array.from({ length: r.rows * r.columns }, (_, i) => rgb.data[i * rgb.info.channels]) };
    const pgmPath = join(dir, 'dcmtk.pgm');
    const d = spawnSync('dcm2pnm', ['+Ww', String(center), String(width), '+op', p.file, pgmPath], { encoding: 'utf8' });
    assert.equal(d.status, 0, d.stderr);
    const ref = readPgm(readFileSync(pgmPath));
    assert.deepEqual([ref.width, ref.height], [r.columns, r.rows]);
    // PS3.3 C.11.2.1.2.1 gives a real grey level; windowToBytes rounds it, dcmtk truncates it. So the
    // two agree exactly or ours is one higher, never anything else.
    let higher = 0;
    for (let i = 0; i < ref.data.length; i++) {
      const diff = decoded.data[i] - ref.data[i];
      if (diff !== 0 && diff !== 1) assert.fail(`pixel ${i}: ${decoded.data[i]} here, ${ref.data[i]} from dcm2pnm`);
      higher += diff;
    }
    assert.ok(higher > 0 && higher < ref.data.length, 'both rounding directions seen');
    assert.equal((await api(`/api/viewer/images/${p.uid}/radiograph.png?center=10`)).status, 400);
    assert.equal((await api(`/api/viewer/images/${p.uid}/radiograph.png?center=10&width=-1`)).status, 400);
  });

  it('in chromium: the worklist by risk, keyboard to a study, a dragged keypoint re-scores as predict --keypoints does, the CSV', async () => {
    const page = await newPage();
    const doc = await page.goto(`${base}/?token=${TOKEN}`);
    assert.match(doc!.headers()['content-security-policy'], /default-src 'self'/);
    await page.waitForSelector('#worklist tbody tr');
    assert.ok(!page.url().includes('token'), 'the token left the address bar');
    const order = await page.$$eval('#worklist tbody tr', (rows) => rows.map((r) => (r as unknown as Node).dataset.uid));
    assert.deepEqual(order, expectedOrder(await flatList()));
    const images = await flatList();
    for (const image of images.filter((i) => i.status === 'flagged')) {
      const shown = await page.$$eval(`tr[data-uid="${image.sopInstanceUid}"] .flag:not(.reason)`, (f) => f.map((x) => x.textContent));
      assert.deepEqual(shown, image.flags);
      assert.equal(await page.textContent(`tr[data-uid="${image.sopInstanceUid}"] .flag.reason`), image.reason);
    }
    // The 030M radiograph: scored, with the "extrapolated" badge whose tooltip is the warning.
    const badge = page.locator(`tr[data-uid="${young.uid}"] .flag.warning`);
    assert.equal(await badge.textContent(), 'extrapolated');
    assert.match((await badge.getAttribute('title'))!, /^age 2\.5 is outside the training range/);
    assert.equal(await page.locator('#worklist .flag.warning').count(), 1, 'only that one');
    const topUid = order[0]!;
    const top = images.find((i) => i.sopInstanceUid === topUid)!;
    // It may have a change already (a clinical value given by the first test): count from here.
    const changes0 = top.changes.length;
    assert.equal(await page.textContent(`tr[data-uid="${topUid}"] .risk`), top.risk!.toFixed(4));

    // Keyboard: Tab reaches the CSV button, then the first row's link; Enter opens the study.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'download-csv');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (document.activeElement?.closest('tr') as Node | null)?.dataset.uid), topUid);
    await Promise.all([page.waitForURL(`${base}/study/${topUid}`), page.keyboard.press('Enter')]);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#risk'), top.risk!.toFixed(4));

    // The overlay toggles and changes what the canvas shows.
    const canvas = (): Promise<string> => page.evaluate(() => document.querySelector('#view canvas').toDataURL() as string);
    const plain = await canvas();
    await page.check('#heatmap-on');
    const withHeat = await canvas();
    assert.notEqual(withHeat, plain);
    await page.uncheck('#heatmap-on');
    assert.equal(await canvas(), plain);

    // Window/level with the right button, and with the slider.
    const view = (await page.locator('#view').boundingBox())!;
    const widthBefore = await page.textContent('#width-value');
    await page.mouse.move(view.x + 40, view.y + 40);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(view.x + 140, view.y + 70, { steps: 4 });
    await page.mouse.up({ button: 'right' });
    assert.notEqual(await page.textContent('#width-value'), widthBefore);
    assert.notEqual(await canvas(), plain);
    await page.locator('#width').fill('900');
    assert.equal(await page.textContent('#width-value'), '900');
    await page.click('#reset-window');

    // A move without a name is refused in the page, and the point goes back.
    const l3 = page.locator('button.kp[data-kp="L3"]');
    const l3Box = async (): Promise<{ x: number; y: number }> => {
      const b = (await l3.boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    await page.fill('#by', '');
    const inView = async (): Promise<{ x: number; y: number }> => {
      const [p, v] = [await l3Box(), (await page.locator('#view').boundingBox())!];
      return { x: p.x - v.x, y: p.y - v.y };
    };
    const before = await inView();
    let start = await l3Box();
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 10, start.y + 10, { steps: 3 });
    await page.mouse.up();
    assert.match((await page.textContent('#error'))!, /Enter your name/);
    assert.deepEqual(await inView(), before);
    assert.equal((await flatGet(topUid))!.changes.length, changes0);
    start = await l3Box();

    // The real drag: L3 by (+18, -12) screen pixels.
    const by = '=1+2 <b>Dr "Q"</b>, MD';
    await page.fill('#by', by);
    const riskBefore = await page.getAttribute('#risk', 'data-risk');
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 18, start.y - 12, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((old) => (document.getElementById('risk')!.dataset.risk !== old || !document.getElementById('error')!.hidden) && document.getElementById('busy')!.textContent === '', riskBefore);
    assert.equal(await page.isVisible('#error'), false, (await page.textContent('#error'))!);
    assert.equal((await flatGet(topUid))!.changes.length, changes0 + 1);
    const after = (await flatGet(topUid))!;
    const corrected = after.correctedKeypoints!;
    assert.equal(corrected.by, by);
    assert.equal(after.status, 'scored');
    // The screen move in image pixels: the view fits the image, so one screen pixel is 1/scale.
    const r = await readRadiograph(patients.find((p) => p.uid === topUid)!.file);
    const scale = Math.min(view.width / r.columns, view.height / r.rows);
    const predicted = after.predictedKeypoints!;
    assert.ok(Math.abs(corrected.keypoints[4] - predicted[4] - 18 / scale) < 0.01, `dx ${corrected.keypoints[4] - predicted[4]} vs ${18 / scale}`);
    assert.ok(Math.abs(corrected.keypoints[5] - predicted[5] + 12 / scale) < 0.01);
    for (const k of [0, 1, 2, 3, 6, 7, 8, 9]) assert.equal(corrected.keypoints[k], predicted[k]);
    // The page shows the backend's new score, and the CLI gives the same for these keypoints.
    assert.equal(await page.textContent('#risk'), after.risk!.toFixed(4));
    assert.equal(await page.getAttribute('#risk', 'data-risk'), String(after.risk));
    assert.notEqual(after.risk, top.risk);
    const patient = patients.find((p) => p.uid === topUid)!;
    const viaCli = predictImage(model, patient.file, patient, corrected.keypoints);
    assert.equal(viaCli.risk, after.risk);
    assert.equal(await page.textContent('#surv-5'), `${(100 * viaCli.surv['5']).toFixed(1)}%`);
    // Both sets listed, with who and when; the predicted points stay drawn as rings; no HTML from the name.
    assert.equal(await page.textContent('#keypoints tr[data-kp="L3"] td.predicted'), `${predicted[4].toFixed(1)}, ${predicted[5].toFixed(1)}`);
    assert.equal(await page.textContent('#keypoints tr[data-kp="L3"] td.corrected'), `${corrected.keypoints[4].toFixed(1)}, ${corrected.keypoints[5].toFixed(1)}`);
    assert.match((await page.textContent('#kp-caption'))!, /^Corrected by =1\+2 <b>Dr "Q"<\/b>, MD at /);
    assert.equal(await page.locator('#kp-caption b').count(), 0);
    assert.equal(await page.locator('.kp-predicted').count(), 5);

    // The keyboard does the same: focus L5, two pixels right, ten down (Shift), Enter saves.
    const riskAfterDrag = await page.getAttribute('#risk', 'data-risk');
    await page.locator('button.kp[data-kp="L5"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction((old) => (document.getElementById('risk')!.dataset.risk !== old || !document.getElementById('error')!.hidden) && document.getElementById('busy')!.textContent === '', riskAfterDrag);
    assert.equal(await page.isVisible('#error'), false, (await page.textContent('#error'))!);
    const byKeys = (await flatGet(topUid))!;
    assert.equal(byKeys.changes.length, changes0 + 2);
    // The history lists both, oldest first, with who (as text, never HTML) and what.
    const history = await page.$$eval('#history li[data-kind="keypoints"]', (items) => items.map((x) => x.textContent));
    assert.equal(history.length, 2);
    assert.ok(history.every((h) => h!.includes(`, ${by}: moved keypoints to L1 `)), history.join(' | '));
    assert.ok(history[0]!.includes(`L3 ${corrected.keypoints[4].toFixed(1)}, ${corrected.keypoints[5].toFixed(1)}`), history[0]!);
    assert.ok(history[1]!.includes(`L5 ${(corrected.keypoints[8] + 2).toFixed(1)}, ${(corrected.keypoints[9] + 10).toFixed(1)}`), history[1]!);
    assert.equal(await page.locator('#history b').count(), 0);
    assert.deepEqual(byKeys.correctedKeypoints!.keypoints, [...corrected.keypoints.slice(0, 8), corrected.keypoints[8] + 2, corrected.keypoints[9] + 10]);
    assert.equal(await page.getAttribute('#risk', 'data-risk'), String(byKeys.risk));

    // Wheel zoom about the cursor: L1 (far from the centre) moves away from the cursor by the zoom factor.
    const l1 = page.locator('button.kp[data-kp="L1"]');
    const l1Centre = async (): Promise<{ x: number; y: number }> => {
      const b = (await l1.boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const cursor = { x: view.x + view.width / 2, y: view.y + view.height / 2 };
    const p0 = await l1Centre();
    const top0 = (await l1.boundingBox())!.y;
    await page.mouse.move(cursor.x, cursor.y);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((y0) => Math.abs(document.querySelector('button.kp[data-kp="L1"]').getBoundingClientRect().top - y0) > 1, top0);
    const p1 = await l1Centre();
    const ratio = Math.hypot(p1.x - cursor.x, p1.y - cursor.y) / Math.hypot(p0.x - cursor.x, p0.y - cursor.y);
    assert.ok(Math.abs(ratio - Math.pow(1.0015, 300)) < 0.02, `zoom ratio ${ratio}`);

    // The CSV, downloaded by the page (with the token), read with csv-parse.
    await page.goto(`${base}/`);
    await page.waitForSelector(`#worklist tbody tr[data-uid="${topUid}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.match(download.suggestedFilename(), /^spinesurv-worklist-\d{8}-\d{6}\.csv$/);
    const csvText = readFileSync((await download.path())!, 'utf8');
    const table = parse(csvText, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(table[0]), [...WORKLIST_CSV_COLUMNS]);
    const now = await flatList();
    assert.deepEqual(table.map((row) => row.sop_instance_uid), expectedOrder(now));
    for (const row of table) {
      const image = now.find((i) => i.sopInstanceUid === row.sop_instance_uid)!;
      assert.equal(row.study_instance_uid, image.studyInstanceUid);
      assert.equal(row.status, image.status);
      assert.equal(row.risk, image.risk === null ? '' : String(image.risk));
      if (image.risk !== null) assert.equal(Number(row.risk), image.risk);
      for (const t of ['1', '3', '5']) assert.equal(row[`surv_${t}`], image.surv === null ? '' : String(image.surv[t]));
      assert.equal(row.flags, image.flags.join('; '));
      assert.equal(row.warnings, image.warnings.join('; '));
      assert.equal(row.received_at, image.receivedAt);
    }
    const edited = table.find((row) => row.sop_instance_uid === topUid)!;
    // A formula-looking name is kept as text (leading apostrophe); quotes and commas survive the quoting.
    assert.equal(edited.corrected_by, `'${by}`);
    assert.equal(edited.corrected_at, byKeys.correctedKeypoints!.at);
    assert.ok(csvText.includes(`"'=1+2 <b>Dr ""Q""</b>, MD"`));
    await page.context().close();
  });

  it('in chromium: a radiograph waiting for a clinical value is scored from the form, as predict --image scores it', async () => {
    const page = await newPage();
    await page.goto(`${base}/?token=${TOKEN}`);
    const waiting = patients[5];
    await page.waitForSelector(`tr[data-uid="${waiting.uid}"]`);
    assert.equal(await page.textContent(`tr[data-uid="${waiting.uid}"] .status`), 'needs sex');
    await Promise.all([page.waitForURL(`${base}/study/${waiting.uid}`), page.click(`tr[data-uid="${waiting.uid}"] .received`)]);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#risk'), '–');
    assert.equal(await page.isVisible('#clinical-form'), true);
    await page.fill('#by', 'Dr Z');
    await page.selectOption('#clinical-sex', 'M');
    await page.click('#clinical-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('status')!.textContent !== 'waiting');
    const image = (await flatGet(waiting.uid))!;
    assert.equal(image.clinical.sex, 'M');
    const viaCli = predictImage(model, waiting.file, { age: waiting.age, sex: 'M' });
    assert.equal(image.status, 'scored', image.flags.join('; '));
    assert.equal(image.risk, viaCli.risk);
    assert.equal(await page.textContent('#risk'), viaCli.risk.toFixed(4));
    assert.equal(await page.isVisible('#clinical-form'), false);
    assert.match((await page.textContent('#clinical-known'))!, /sexM/);
    await page.waitForSelector('#heatmap-on:enabled');
    await page.context().close();
  });

  it('in chromium: the study page of a score made outside the training range shows the warning', async () => {
    const page = await newPage();
    await page.goto(`${base}/study/${young.uid}?token=${TOKEN}`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#status'), 'scored');
    assert.equal(await page.isVisible('#warnings-row'), true);
    assert.match((await page.textContent('#warnings'))!, /^age 2\.5 is outside the training range [\d.]+-[\d.]+; the risk is an extrapolation$/);
    // A score inside the range: no warnings row.
    const plain = (await flatList()).find((i) => i.status === 'scored' && i.warnings.length === 0)!;
    await page.goto(`${base}/study/${plain.sopInstanceUid}`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isVisible('#warnings-row'), false);
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  });

  it('as a process: storescu -> spinesurv serve (SPINESURV_TOKEN, --forward to storescp) -> chromium: a dragged keypoint re-scores (= predict --keypoints) and goes to the PACS again', async () => {
    const work = tempDir('serve-process');
    const token = 'browser-test-token-0123456789';
    const auth = { authorization: `Bearer ${token}` };
    const pacsPort = await freePort();
    const pacsDir = join(work, 'pacs');
    mkdirSync(pacsDir);
    const storescp = spawn('storescp', ['-aet', 'PACS', '-od', pacsDir, String(pacsPort)], { stdio: 'ignore' });
    let serve: ServeProcess | null = null;
    try {
      // The image-only model beside the clinical one (the detector is shared: about 1 s of CPU more).
      const model = tinyImageModel(dir);
      const files = radiographs(join(work, 'send'), 6, 11);
      serve = await startServeProcess(['--model', model, '--store', join(work, 'store'), '--forward', `PACS@127.0.0.1:${pacsPort}`], { ...process.env, SPINESURV_TOKEN: token });
      assert.equal(acknowledged(storescu(serve.dicomPort, files).output).success.length, 6);
      const list = async (): Promise<ResultJson[]> => (await getJson<ResultJson[]>(`${serve!.httpUrl}/api/results`, auth)).body;
      await waitFor(async () => (await list()).every((r) => r.status !== 'received') && (await list()).length === 6, 60_000, 'six results');
      const scored = (await list()).filter((r) => r.status === 'scored');
      assert.ok(scored.length >= 2, 'at least two scored');
      await waitFor(() => readdirSync(pacsDir).length === 2 * scored.length, 60_000, 'results forwarded');
      const top = scored.reduce((a, b) => (b.risk! > a.risk! ? b : a));

      const page = await newPage();
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
      await page.context().close();
      assert.deepEqual(pageErrors, []);
    } finally {
      if (serve !== null) assert.equal(await serve.stop(), 0, serve.stderr());
      storescp.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('with --show-phi (the same store, started again): patient names on the worklist and in the CSV, never in the log', async () => {
    await serve.close();
    await open(true);
    const body = (await (await api('/api/viewer/worklist')).json()) as { showPhi: boolean; images: { sopInstanceUid: string; patientName?: string }[] };
    assert.equal(body.showPhi, true);
    assert.equal(body.images.find((i) => i.sopInstanceUid === patients[0].uid)!.patientName, 'SYNTHETIC^SYN0001');
    const rows = parse(await (await api('/api/viewer/worklist.csv')).text(), { columns: true }) as Record<string, string>[];
    assert.equal(rows.find((r) => r.sop_instance_uid === patients[0].uid)!.patient_name, 'SYNTHETIC^SYN0001');
  });
});
