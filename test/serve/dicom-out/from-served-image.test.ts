import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServedImage } from '../../../src/serve/backend.js';
import { pacsResultFromServedImage } from '../../../src/serve/dicom-out/index.js';

const predicted = [10, 20, 11, 40, 12, 60, 13, 80, 14, 100];
const corrected = [10, 20, 11, 40, 12, 60, 13, 80, 30, 110];

function served(overrides: Partial<ServedImage> = {}): ServedImage {
  return {
    sopInstanceUid: '1.2.3.4', studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.5', status: 'scored',
    risk: 0.5, surv: { '1': 0.99, '3': 0.95, '5': 0.9 }, percentile: 80, flags: [], warnings: [], reason: null,
    predictedKeypoints: predicted, correctedKeypoints: null, changes: [], clinical: {}, missingClinical: [],
    modelVersion: 'abcdef0123456789', receivedAt: '2026-11-30T10:00:00Z', scoredAt: '2026-11-30T10:00:05Z',
    ...overrides,
  };
}

test('a scored image becomes the result sent to the PACS, with the keypoints it was scored with', () => {
  assert.deepEqual(pacsResultFromServedImage(served()), {
    risk: 0.5, surv: { '1': 0.99, '3': 0.95, '5': 0.9 }, percentile: 80, keypoints: predicted, flags: [], warnings: [],
    modelVersion: 'abcdef0123456789', scoredAt: '2026-11-30T10:00:05Z',
  });
  const fixed = served({ correctedKeypoints: { keypoints: corrected, by: 'dr', at: '2026-11-30T10:01:00Z' }, scoredAt: '2026-11-30T10:01:02Z' });
  assert.deepEqual(pacsResultFromServedImage(fixed)?.keypoints, corrected);
});

test('an image without a score gives nothing to send', () => {
  assert.equal(pacsResultFromServedImage(served({ status: 'received', risk: null, surv: null, percentile: null, scoredAt: null })), null);
  assert.equal(pacsResultFromServedImage(served({ status: 'flagged', flags: ['order: L5 is not below L1'] })), null);
  assert.equal(pacsResultFromServedImage(served({ status: 'failed', reason: 'unreadable' })), null);
});
