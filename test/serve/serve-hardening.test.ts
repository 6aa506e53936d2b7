/**
 * `spinesurv serve` in-process against what was found when it was attacked on loopback: a deflate
 * bomb, a large deflated radiograph that was read and drawn on the main thread, heatmap PNGs readable
 * by other users, clinical values no patient has. storescu sends; fetch asks the HTTP side; the tiny
 * image model (with age and sex) scores. Every wait is bounded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServe, type RunningServe } from '../../src/serve/serve.js';
import { checkClinical } from '../../src/serve/change-checks.js';
import { HEADER_MARGIN, inflatedSizeProblem } from '../../src/serve/inflate-bound.js';
import { acknowledged, radiographs, storescuAsync, tempDir, tinyImageModel, waitFor } from './helpers.js';
import { writeDeflateBomb, writeLargeDeflated } from './deflated-datasets.js';

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

test('the inflated-size bound: pixels declared plus the header margin, and a dataset without a size only the margin', async () => {
  const bomb = join(dir, 'small-bomb.dcm');
  // 16 MiB of zeros after a 64x64 image: past 8 MiB + 8 KiB.
  await writeDeflateBomb(bomb, 16);
  const { readFileSync } = await import('node:fs');
  const dataset = readFileSync(bomb).subarray(132 + readFileSync(bomb).readUInt32LE(140) + 12);
  assert.match((await inflatedSizeProblem(dataset, 256 << 20))!, /^the deflated dataset inflates past 8\.01 MB \(64x64 pixels of 16 bits declare 0\.01 MB; at most 8\.00 MB more for the header\); refused$/);
  // --max-dicom-mb below the bound is the bound.
  assert.match((await inflatedSizeProblem(dataset, 4 << 20))!, /inflates past 4\.00 MB .*; --max-dicom-mb\); refused$/);
  const honest = join(dir, 'honest.dcm');
  await writeLargeDeflated(honest, 512, 512);
  const honestSet = readFileSync(honest).subarray(132 + readFileSync(honest).readUInt32LE(140) + 12);
  assert.equal(await inflatedSizeProblem(honestSet, 256 << 20), null);
  assert.equal(HEADER_MARGIN, 8 << 20);
});

test('a deflate bomb (256 MiB of zeros in 0.26 MB) is refused with the reason, without inflating it: memory stays flat', { timeout: 300_000 }, async (t) => {
  const bomb = join(dir, 'bomb.dcm');
  const made = await writeDeflateBomb(bomb, 256);
  assert.ok(made.deflatedBytes < 400_000 && made.inflatedBytes > 256 << 20, JSON.stringify(made));
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let run;
  try {
    run = await storescuAsync(running.dicomPort, [bomb], { extra: ['-xd'] });
  } finally {
    clearInterval(sampler);
  }
  t.diagnostic(`deflated ${made.deflatedBytes} bytes, inflates to ${made.inflatedBytes}; server RSS ${(rss0 / 1048576).toFixed(0)} MB -> peak ${(peak / 1048576).toFixed(0)} MB`);
  assert.match(run.output, /Received Store Response \(.*(CannotUnderstand|C000)/i, run.output);
  assert.deepEqual(acknowledged(run.output).success, [], 'not acknowledged');
  assert.ok(lines.some((l) => /^dicom: C-STORE from "TESTSCU" refused: instance [0-9a-f]{12}: the deflated dataset inflates past 8\.01 MB \(64x64 pixels of 16 bits declare 0\.01 MB/.test(l)), lines.join('\n'));
  assert.ok(peak - rss0 < 100 << 20, `the server's memory grew by ${((peak - rss0) / 1048576).toFixed(0)} MB`);
  assert.equal(await running.backend.get(made.sopInstanceUid), undefined, 'not stored');
});

test('a large deflated radiograph is read and drawn off the main thread: the event loop stays responsive', { timeout: 300_000 }, async (t) => {
  const file = join(dir, 'large.dcm');
  const { sopInstanceUid: uid } = await writeLargeDeflated(file, 2500, 3000);
  const sent = await storescuAsync(running.dicomPort, [file], { extra: ['-xd'] });
  assert.deepEqual(acknowledged(sent.output).success, [file], sent.output);
  assert.ok((await running.backend.get(uid)) !== undefined);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const times: number[] = [];
  let pngStall = 0;
  let pixelsStall = 0;
  delay.enable();
  try {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${running.httpUrl}/api/viewer/images/${uid}/radiograph.png${i === 2 ? '?center=2000&width=4000' : ''}`);
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength > 1000, true);
      times.push(performance.now() - t0);
    }
    pngStall = delay.max / 1e6;
    delay.reset();
    const pixels = await fetch(`${running.httpUrl}/api/viewer/images/${uid}/pixels`);
    assert.equal(pixels.headers.get('x-rows'), '2500');
    assert.equal((await pixels.arrayBuffer()).byteLength, 2500 * 3000 * 2);
    pixelsStall = delay.max / 1e6;
  } finally {
    delay.disable();
  }
  t.diagnostic(`radiograph.png of 3000x2500 deflated: ${times.map((x) => x.toFixed(0)).join(', ')} ms; longest event-loop stall ${pngStall.toFixed(0)} ms (pixels: ${pixelsStall.toFixed(0)} ms)`);
  assert.ok(pngStall < 250, `the main thread stalled for ${pngStall.toFixed(0)} ms`);
  assert.ok(pixelsStall < 250, `the main thread stalled for ${pixelsStall.toFixed(0)} ms on /pixels`);
});
