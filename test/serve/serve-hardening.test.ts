/**
 * `spinesurv serve` in-process against what was found when it was attacked on loopback: heatmap PNGs
 * readable by other users, clinical values no patient has. storescu sends; fetch asks the HTTP side; the tiny
 * image model (with age and sex) scores. Every wait is bounded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, type RunningServe } from '../../src/serve/serve.js';
import { checkClinical } from '../../src/serve/change-checks.js';
import { acknowledged, radiographs, storescuAsync, tempDir, tinyImageModel, waitFor } from './helpers.js';

const FINAL = new Set(['scored', 'flagged', 'failed']);

let dir: string;
let model: string;
let images: string[];
let running: RunningServe;
const lines: string[] = [];

before(async () => {
  dir = tempDir('serve-hardening');
  model = tinyImageModel(dir, { clinical: 1 });
  images = radiographs(join(dir, 'send'), 4, 21);
  running = await startServe({ modelDir: model, storeDir: join(dir, 'store'), dicomPort: 0, httpPort: 0, log: (l) => lines.push(l) });
});
after(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('out-of-range clinical values are refused with 400 and a reason; heatmap PNGs are 0600 like every file of the store', { timeout: 300_000 }, async () => {
  assert.equal(acknowledged((await storescuAsync(running.dicomPort, images)).output).success.length, 4);
  // The synthetic headers carry no age or sex: each image waits for them (the model reads both).
  await waitFor(async () => (await running.backend.list()).filter((x) => x.missingClinical.includes('age')).length === 4, 60_000, 'four waiting for age and sex');
  const uid = (await running.backend.list())[0].sopInstanceUid;
  const put = (u: string, values: unknown): Promise<Response> => fetch(`${running.httpUrl}/api/results/${u}/clinical`, json('PUT', { values, by: 'test reader' }));
  const post = (values: unknown): Promise<Response> => fetch(`${running.httpUrl}/api/viewer/images/${uid}/clinical`, json('POST', { values, by: 'test reader' }));
  for (const [send, values, reason] of [
    [(v: unknown) => put(uid, v), { age: -5, sex: 'F' }, /^"values"\."age": -5 is outside 0-120 years$/],
    [(v: unknown) => put(uid, v), { age: 1e308, sex: 'F' }, /^"values"\."age": 1e\+308 is outside 0-120 years$/],
    [post, { age: 121 }, /^"values"\."age": 121 is outside 0-120 years$/],
    [post, { age: '-0.5' }, /^"values"\."age": -0\.5 is outside 0-120 years$/],
    [(v: unknown) => put(uid, v), { age: 'old' }, /^"values"\."age": must be a number, got "old"$/],
  ] as const) {
    const res = await send(values);
    assert.equal(res.status, 400, JSON.stringify(values));
    assert.match(((await res.json()) as { error: string }).error, reason);
  }
  const untouched = (await running.backend.get(uid))!;
  assert.deepEqual([untouched.changes.length, untouched.status], [0, 'received'], 'nothing refused was stored');
  for (const x of await running.backend.list()) {
    const ok = await put(x.sopInstanceUid, { age: 70, sex: 'F' });
    assert.equal(ok.status, 200, await ok.clone().text());
  }

  await waitFor(async () => (await running.backend.list()).filter((x) => FINAL.has(x.status)).length === 4, 120_000, 'four scored');
  const scored = (await running.backend.list()).find((x) => x.status === 'scored');
  assert.ok(scored !== undefined, 'one of the four scored');
  const png = await fetch(`${running.httpUrl}/api/viewer/images/${scored.sopInstanceUid}/heatmap.png`);
  assert.equal(png.status, 200);
  const heatmaps = join(dir, 'store', 'heatmaps');
  const files = readdirSync(heatmaps);
  assert.ok(files.some((f) => f.endsWith('.png')), `a heatmap was written (${files.join(', ')})`);
  for (const f of files) assert.equal((statSync(join(heatmaps, f)).mode & 0o777).toString(8), '600', `heatmaps/${f}`);
  assert.equal((statSync(heatmaps).mode & 0o777).toString(8), '700');

  // The other covariates a model may read, by the same check (units: the routes' first step).
  const known = ['age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis', 'bmd_tscore'];
  assert.throws(() => checkClinical({ values: { bmi: 5 }, by: 'A' }, known), /"values"\."bmi": 5 is outside 10-80 kg\/m²/);
  assert.throws(() => checkClinical({ values: { bmi: 81 }, by: 'A' }, known), /outside 10-80/);
  assert.throws(() => checkClinical({ values: { glucocorticoid: 2 }, by: 'A' }, known), /"values"\."glucocorticoid": must be 0 or 1, got 2/);
  assert.throws(() => checkClinical({ values: { secondary_osteoporosis: '0.5' }, by: 'A' }, known), /must be 0 or 1, got 0\.5/);
  assert.throws(() => checkClinical({ values: { bmd_tscore: -40 }, by: 'A' }, known), /-40 is outside -10-10 SD/);
  assert.deepEqual(checkClinical({ values: { age: 0, bmi: 10, glucocorticoid: '1', bmd_tscore: -2.5, sex: 'F' }, by: 'A' }, known).values, { age: 0, bmi: 10, glucocorticoid: '1', bmd_tscore: -2.5, sex: 'F' });
});
