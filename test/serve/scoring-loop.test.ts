/**
 * The scoring loop applies the input rules when an image arrives, also to one that must wait for
 * clinical values: a blank frame is refused at once with its reason, not kept waiting for an age
 * that nobody should type in. storescu sends on loopback; the tiny image model reads age and sex,
 * which the synthetic headers lack, so a real radiograph waits.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readRadiograph, writeDicom } from '../../src/imaging/index.js';
import { scoreView } from '../../src/serve/backend.js';
import { startServe, type RunningServe } from '../../src/serve/serve.js';
import { acknowledged, radiographs, storescuAsync, tempDir, tinyImageModel, waitFor } from './helpers.js';

let dir: string;
let running: RunningServe;

before(async () => {
  dir = tempDir('serve-intake');
  const model = tinyImageModel(dir, { clinical: 1 });
  running = await startServe({ modelDir: model, storeDir: join(dir, 'store'), dicomPort: 0, httpPort: 0, log: () => undefined });
});
after(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an image that waits for clinical values is checked on arrival: a blank frame is flagged with its reason, a radiograph waits', { timeout: 300_000 }, async () => {
  const [real] = radiographs(join(dir, 'send'), 1, 31);
  const r = await readRadiograph(real!);
  const blank = join(dir, 'blank.dcm');
  writeDicom(blank, { pixels: new Uint16Array(r.rows * r.columns), rows: r.rows, columns: r.columns, bitsStored: 12, pixelSpacing: [0.3, 0.3], patientId: 'BLANK-1' });
  assert.equal(acknowledged((await storescuAsync(running.dicomPort, [real!, blank])).output).success.length, 2);
  const settled = async () => (await running.backend.list()).filter((x) => x.status === 'flagged' || x.missingClinical.length > 0);
  await waitFor(async () => (await settled()).length === 2, 60_000, 'both images settled');
  const list = await running.backend.list();
  const waiting = list.filter((x) => x.status === 'received');
  const flagged = list.filter((x) => x.status === 'flagged');
  assert.equal(waiting.length, 1);
  assert.deepEqual(waiting[0]!.missingClinical, ['age', 'sex']);
  assert.equal(flagged.length, 1);
  assert.deepEqual(flagged[0]!.missingClinical, []);
  assert.deepEqual(scoreView(flagged[0]!.outcome).flags, ['blank: every pixel has the value 0']);
  assert.match(flagged[0]!.reason ?? '', /not a lateral lumbar radiograph \(blank: every pixel has the value 0\)/);
  assert.equal(flagged[0]!.predictedKeypoints, null, 'the detector never ran on it');
});
