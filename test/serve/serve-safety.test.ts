/**
 * `spinesurv serve`'s safety fixes against a real server: a forged Host header through real HTTP (DNS
 * rebinding against the tokenless server), the store's permissions, --host without --allowed-callers,
 * one check for a change on both HTTP routes, no file path in a reason, a UID with leading zeros
 * stored and scored (storescu), a request that never arrives whole (raw socket, 408), a change whose
 * re-score takes longer than the wait (503, scored later).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startServe as startServeInProcess } from '../../src/serve/serve.js';
import { acknowledged, bin, dcmtkIdentity, radiographs, results, startServe, storescu, storescuAsync, tempDir, tinyImageModel, waitFor, withHost, type ResultJson } from './helpers.js';

let dir: string;
let model: string;
let images: string[];

before(() => {
  dir = tempDir('serve-safety');
  model = tinyImageModel(dir);
  images = radiographs(join(dir, 'send'), 6, 21);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const FINAL = new Set(['scored', 'flagged', 'failed']);

const put = (url: string, body: unknown): Promise<Response> => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (url: string, body: unknown): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('tokenless server: a forged Host (DNS rebinding) gets 403 for reads and changes; store folders 0700, files 0600; a change is checked the same on both routes; a reason names no file path; a UID with leading zeros is scored', { timeout: 180_000 }, async () => {
  const store = join(dir, 'store');
  const serve = await startServe(['--model', model, '--store', store]);
  try {
    // A UID as real modalities send it (leading zero in a component): stored and scored, not refused.
    const zeros = join(dir, 'leading-zeros.dcm');
    copyFileSync(images[0], zeros);
    const zeroUid = '1.2.840.10008.01.5.2048';
    assert.equal(spawnSync('dcmodify', ['-nb', '-m', `(0008,0018)=${zeroUid}`, zeros]).status, 0);
    const sent = storescu(serve.dicomPort, [zeros, images[1]]);
    assert.equal(acknowledged(sent.output).success.length, 2, sent.output);
    let list: ResultJson[] = [];
    await waitFor(async () => (list = await results(serve.httpUrl)).length === 2 && list.every((r) => FINAL.has(r.status)), 60_000, 'both scored');
    assert.ok(list.some((r) => r.sop_instance_uid === zeroUid), 'the leading-zero UID is there');
    // (The tiny model's detector may flag either: a change is allowed on any image, and re-scores it.)
    const before = list.find((r) => r.sop_instance_uid !== zeroUid)!;
    const uid = before.sop_instance_uid;

    // DNS rebinding: the attacker's name resolves to 127.0.0.1; the browser sends Host: attacker.example.
    const port = new URL(serve.httpUrl).port;
    const forged = await withHost(`${serve.httpUrl}/api/results`, `attacker.example:${port}`);
    assert.equal(forged.status, 403, forged.body);
    assert.match(forged.body, /answers only http:\/\/127\.0\.0\.1:\d+ or http:\/\/localhost/);
    assert.ok(!forged.body.includes(uid), 'no result in the refusal');
    const change = JSON.stringify({ keypoints: [10, 10, 10, 20, 10, 30, 10, 40, 10, 50], by: 'attacker' });
    assert.equal((await withHost(`${serve.httpUrl}/api/results/${uid}/keypoints`, `attacker.example:${port}`, 'PUT', change)).status, 403);
    assert.equal((await withHost(`${serve.httpUrl}/`, `attacker.example:${port}`)).status, 403, 'the pages too');
    assert.equal((await withHost(`${serve.httpUrl}/api/results`, '127.0.0.1:1')).status, 403, 'another port is another origin');
    assert.equal((await withHost(`${serve.httpUrl}/api/results`, `localhost:${port}`)).status, 200);
    assert.equal((await results(serve.httpUrl)).find((r) => r.sop_instance_uid === uid)!.keypoints_corrected, false, 'the forged change was not made');

    // Permissions: nobody but the server's user reads patient data.
    for (const folder of [store, join(store, 'images'), join(store, 'heatmaps')]) assert.equal(statSync(folder).mode & 0o777, 0o700, folder);
    for (const f of readdirSync(join(store, 'images'))) assert.equal(statSync(join(store, 'images', f)).mode & 0o777, 0o600, f);
    for (const f of ['serve.sqlite', 'serve.sqlite-wal', 'serve.sqlite-shm'].filter((x) => existsSync(join(store, x)))) assert.equal(statSync(join(store, f)).mode & 0o777, 0o600, f);
    assert.deepEqual(JSON.parse(readFileSync(join(store, '.spinesurv-output.json'), 'utf8')).created_by, 'spinesurv serve');

    // One check for a change, whichever route: the JSON API's PUT and the viewer's POST refuse the same things alike.
    const api = `${serve.httpUrl}/api/results/${uid}`;
    const viewer = `${serve.httpUrl}/api/viewer/images/${uid}`;
    const bad: Array<[string, unknown, RegExp]> = [
      ['keypoints', { keypoints: [-100000, 20, 11, 40, 12, 60, 13, 80, 14, 100], by: 'Dr A' }, /L1 x\) = -100000: outside the image \(0\.\.\d+\)/],
      ['keypoints', { keypoints: [10, 20, 11, 40, 12, 60, 13, 80, 14, 100], by: 'Dr\u0007A' }, /"by": no control characters/],
      ['keypoints', { keypoints: [10, 20, 11, 40, 12, 60, 13, 80, 14, 100], by: 'x'.repeat(101) }, /"by": at most 100 characters/],
      ['clinical', { values: { shoe_size: 44 }, by: 'Dr A' }, /"values"."shoe_size": not a clinical value of this model/],
    ];
    for (const [route, body, message] of bad) {
      const a = await put(`${api}/${route}`, body);
      const b = await post(`${viewer}/${route}`, body);
      const [ja, jb] = [(await a.json()) as { error: string }, (await b.json()) as { error: string }];
      assert.equal(a.status, 400, `PUT ${route} ${ja.error}`);
      assert.equal(b.status, 400, `POST ${route} ${jb.error}`);
      assert.match(ja.error, message);
      assert.equal(ja.error, jb.error, 'the same words from both routes');
    }
    const after = (await results(serve.httpUrl)).find((r) => r.sop_instance_uid === uid)!;
    assert.deepEqual([after.status, after.risk, after.scored_at, after.keypoints_corrected], [before.status, before.risk, before.scored_at, false], 'nothing was changed');

    // Points inside the image but upside down (L5 above L1): flagged, and the reason names the instance by its tag, not the store's file.
    const upsideDown = await put(`${api}/keypoints`, { keypoints: [128, 200, 128, 160, 128, 120, 128, 80, 128, 40], by: 'Dr A' });
    const flagged = (await upsideDown.json()) as ResultJson;
    assert.equal(upsideDown.status, 200, JSON.stringify(flagged));
    assert.equal(flagged.status, 'flagged');
    assert.match(String(flagged.reason), /^instance [0-9a-f]{12}: keypoints flagged/);
    assert.ok(!String(flagged.reason).includes(store) && !String(flagged.reason).includes('.dcm'), String(flagged.reason));
    const log = serve.stderr();
    assert.ok(!log.includes(zeroUid) && !log.includes(uid), 'no UID in the log');
  } finally {
    assert.equal(await serve.stop(), 0, serve.stderr());
  }
});

test('--host off loopback: DICOM needs --allowed-callers or --any-caller (not both); --any-caller starts', { timeout: 60_000 }, async () => {
  const env = { ...process.env, SPINESURV_TOKEN: 'a-long-enough-test-token' };
  const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [bin, 'serve', '--model', model, '--store', join(dir, 'store-host'), '--dicom-port', '0', '--http-port', '0', ...args], { encoding: 'utf8', env });
  const open = run(['--host', '0.0.0.0']);
  assert.equal(open.status, 2);
  assert.match(String(open.stderr), /--host 0\.0\.0\.0: anyone who reaches this address could send images; give --allowed-callers/);
  const both = run(['--host', '0.0.0.0', '--allowed-callers', 'PACS', '--any-caller']);
  assert.equal(both.status, 2);
  assert.match(String(both.stderr), /--allowed-callers and --any-caller: give one of them/);
  const serve = await startServe(['--model', model, '--store', join(dir, 'store-host'), '--host', '0.0.0.0', '--any-caller'], env);
  assert.equal(await serve.stop(), 0, serve.stderr());
});

test('a request that never arrives whole is answered 408; a change whose re-score outlasts the wait is 503 and scored later; close() twice is harmless', { timeout: 120_000 }, async () => {
  const lines: string[] = [];
  const running = await startServeInProcess({
    modelDir: model, storeDir: join(dir, 'store-timeouts'), dicomPort: 0, httpPort: 0, log: (l) => lines.push(l),
    requestTimeoutSeconds: 0.5, changeWaitSeconds: 0.001,
  });
  try {
    const port = new URL(running.httpUrl).port;
    // Slow headers (never finished): the server answers 408 and closes (Node looks every 30 s), not after Node's default 300 s.
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`));
      let text = '';
      const timer = setTimeout(() => {
        s.destroy();
        resolve(`no answer within 45 s: ${text}`);
      }, 45_000);
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
      s.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);

    const sent = await storescuAsync(running.dicomPort, [images[2]]);
    assert.equal(acknowledged(sent.output).success.length, 1, sent.output);
    const uid = dcmtkIdentity(images[2]).sopInstanceUid;
    await waitFor(async () => FINAL.has((await running.backend.get(uid))?.status ?? ''), 60_000, 'scored');
    const predicted = (await running.backend.get(uid))!.predictedKeypoints!;
    const r = await put(`${running.httpUrl}/api/results/${uid}/keypoints`, { keypoints: predicted.map((v) => Math.max(0, v - 1)), by: 'Dr A' });
    const body = (await r.json()) as { error: string };
    assert.equal(r.status, 503, JSON.stringify(body));
    assert.match(body.error, /the change is saved; its re-score did not finish within 0\.001 s/);
    await waitFor(async () => {
      const x = await running.backend.get(uid);
      return x?.correctedKeypoints !== null && x?.outcome != null && FINAL.has(x?.status ?? '') && (x?.correctedKeypoints?.by === 'Dr A');
    }, 60_000, 'the change scored later');
  } finally {
    const first = running.close();
    const second = running.close();
    await Promise.all([first, second]);
  }
  assert.ok(!lines.some((l) => /^http: /.test(l)), `no internal error logged: ${lines.join('\n')}`);
});
