/**
 * The server's database keeps a score as rows (serve_scores under its key, serve_instances as the
 * instance's current result) and gives it back as the ScoreOutcome it was: each outcome written and
 * read again here, on SQLite, through the one mapping in serve-db.ts; and the PACS result as the
 * projection of the current outcome, with the keypoints the score was made with.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FailedOutcome, FlaggedOutcome, ScoredOutcome } from '../../src/models/image/score-outcome.js';
import { pacsResult } from '../../src/serve/dicom-out/index.js';
import { instanceOutcome, ServeDb, type ScoreKey } from '../../src/serve/serve-db.js';
import { openSqlite } from '../../src/util/sql-driver.js';
import { tempDir } from './helpers.js';

const UID = '1.2.3.4';
const VERSION = 'abcdef0123456789';
const predicted = [10, 20, 11, 40, 12, 60, 13, 80, 14, 100];
const corrected = [10, 20, 11, 40, 12, 60, 13, 80, 30, 110];
const detectorKey: ScoreKey = { modelVersion: VERSION, keypointsSource: 'detector', keypoints: null, clinicalKey: '-' };
const correctedKey: ScoreKey = { modelVersion: VERSION, keypointsSource: 'corrected:0123', keypoints: corrected, clinicalKey: '-' };

const scored = (keypoints: number[], given: boolean, at: string): ScoredOutcome => ({
  status: 'scored', modelVersion: VERSION, scoredAt: at, predicted: given ? null : keypoints, risk: given ? 0.7 : 0.5,
  surv: { '1': 0.99, '3': 0.95, '5': 0.9 }, percentile: 80, keypoints, keypointSource: given ? 'given' : 'detector', warnings: ['age 30 is outside the training range'],
});

let dir: string;
let db: ServeDb;

before(async () => {
  dir = tempDir('score-rows');
  db = new ServeDb(openSqlite(join(dir, 'serve.sqlite')));
  await db.init();
  await db.insertReceived({
    sopInstanceUid: UID, studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.5', sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', file: 'x.dcm',
    sha256: 'ab', patientName: 'P', patientId: 'P', accessionNumber: '', clinical: {}, receivedAt: '2026-11-30T10:00:00Z', forward: false,
  });
});
after(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('received: no outcome, nothing to send', async () => {
  assert.equal(instanceOutcome((await db.get(UID))!), null);
});

test('a score by the detector: the instance\'s outcome and the stored one are the outcome recorded; the PACS gets its numbers and keypoints', async () => {
  const outcome = scored(predicted, false, '2026-11-30T10:00:05Z');
  await db.recordScore(UID, 0, detectorKey, outcome);
  const current = instanceOutcome((await db.get(UID))!);
  assert.deepEqual(current, outcome);
  assert.deepEqual(await db.findScore(UID, detectorKey), outcome);
  assert.deepEqual(pacsResult(current as ScoredOutcome), {
    risk: 0.5, surv: { '1': 0.99, '3': 0.95, '5': 0.9 }, percentile: 80, keypoints: predicted, flags: [], warnings: ['age 30 is outside the training range'],
    modelVersion: VERSION, scoredAt: '2026-11-30T10:00:05Z',
  });
});

test('a score with a clinician\'s keypoints: made with the correction, the detector\'s points kept beside it', async () => {
  const revision = await db.setCorrection(UID, corrected, 'dr', '2026-11-30T10:01:00Z');
  const outcome = scored(corrected, true, '2026-11-30T10:01:02Z');
  await db.recordScore(UID, revision, correctedKey, outcome);
  const row = (await db.get(UID))!;
  assert.equal(row.pending, 0);
  assert.deepEqual(instanceOutcome(row), { ...outcome, predicted });
  assert.deepEqual(await db.findScore(UID, correctedKey), outcome);
  assert.deepEqual(pacsResult(instanceOutcome(row) as ScoredOutcome).keypoints, corrected);
  assert.equal((await db.findScore(UID, { ...correctedKey, clinicalKey: 'other' })), undefined);
});

test('flagged and failed outcomes come back as they were; a failure to retry is current but not stored under its key', async () => {
  const flagged: FlaggedOutcome = { status: 'flagged', modelVersion: VERSION, scoredAt: '2026-11-30T10:02:00Z', predicted, flags: ['order: L3 above L2'], reason: 'instance x: keypoints flagged' };
  const key = { ...detectorKey, clinicalKey: 'flagged' };
  await db.recordScore(UID, 1, key, flagged);
  assert.deepEqual(instanceOutcome((await db.get(UID))!), flagged);
  assert.deepEqual(await db.findScore(UID, key), flagged);
  const broken: FailedOutcome = { status: 'failed', modelVersion: VERSION, scoredAt: '2026-11-30T10:03:00Z', predicted: null, reason: 'scoring failed: the thread stopped' };
  await db.markFailed(UID, 1, broken);
  const row = (await db.get(UID))!;
  assert.equal(row.retry_on_start, 1);
  assert.equal(row.risk, null, 'no number of an earlier score is left beside a failure');
  assert.deepEqual(instanceOutcome(row), { ...broken, predicted });
  assert.equal(await db.scoreCount(UID), 3, 'the two scores and the flag; not the failure');
});

test('waiting for clinical values: no outcome', async () => {
  await db.markWaiting(UID, 1, ['age'], 'waiting for clinical values: age');
  assert.equal(instanceOutcome((await db.get(UID))!), null);
});
