// The Keypoints type's helpers: which points are missing, and the COCO x, y, v array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEYPOINT_NAMES, allLabelled, cocoTriplets, isKeypointName, missingKeypoints, unlabelledKeypoints } from '../../src/keypoints/index.js';

test('an unlabelled point is NaN, named as missing, and written (0, 0, 0) in COCO', () => {
  const kp = unlabelledKeypoints();
  assert.deepEqual(missingKeypoints(kp), [...KEYPOINT_NAMES]);
  kp.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
  assert.deepEqual(missingKeypoints(kp), ['L5']);
  assert.equal(allLabelled(kp), false);
  assert.deepEqual(cocoTriplets(kp), [1, 2, 2, 3, 4, 2, 5, 6, 2, 7, 8, 2, 0, 0, 0]);
  kp.set([9.5, 10.5], 8);
  assert.equal(allLabelled(kp), true);
  assert.deepEqual(cocoTriplets(kp, 1).slice(12), [9.5, 10.5, 1]);
});

test('the names are L1..L5, top to bottom, matched exactly', () => {
  assert.deepEqual([...KEYPOINT_NAMES], ['L1', 'L2', 'L3', 'L4', 'L5']);
  assert.equal(isKeypointName('L3'), true);
  assert.equal(isKeypointName('l3'), false);
  assert.equal(isKeypointName('T12'), false);
});
