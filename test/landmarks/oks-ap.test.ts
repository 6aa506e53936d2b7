// OKS-AP as pycocotools computes it, on hand-made cases whose answers are worked out in the comments.
// Every case: 5 keypoints, sigma 0.1 each (variance (2 sigma)^2 = 0.04), ground-truth area 100, so a
// detection with every keypoint moved by d pixels has OKS = exp(-d^2 / 0.04 / 100 / 2) = exp(-d^2 / 8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oks, oksAp, type Detection, type GroundTruth } from '../../src/landmarks/oks-ap.js';

const SIGMAS = [0.1, 0.1, 0.1, 0.1, 0.1];
const BASE = [10, 10, 20, 30, 30, 50, 40, 70, 50, 90];

function gt(imageId: number): GroundTruth {
  const kp: number[] = [];
  for (let j = 0; j < 5; j++) kp.push(BASE[2 * j]!, BASE[2 * j + 1]!, 2);
  return { imageId, keypoints: kp, area: 100 };
}

/** A detection whose keypoints are all moved right by the distance that gives OKS `target`. */
function dt(imageId: number, target: number, score: number): Detection {
  const d = Math.sqrt(-8 * Math.log(target));
  const kp: number[] = [];
  for (let j = 0; j < 5; j++) kp.push(BASE[2 * j]! + d, BASE[2 * j + 1]!, 1);
  return { imageId, keypoints: kp, score };
}

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('OKS by hand: every keypoint 2 px off -> exp(-0.5)', () => {
  const g = gt(1);
  const kp = g.keypoints as number[];
  const moved = kp.map((v, i) => (i % 3 === 1 ? v + 2 : v));
  close(oks(g, moved, SIGMAS), Math.exp(-0.5));
});

test('perfect detections: AP = AP50 = AP75 = 1', () => {
  const r = oksAp([gt(1), gt(2), gt(3)], [dt(1, 1, 0.9), dt(2, 1, 0.5), dt(3, 1, 0.7)], SIGMAS);
  close(r.ap, 1);
  close(r.ap50, 1);
  close(r.ap75, 1);
});

test('one detection with OKS 0.82 matches at 0.50..0.80 (7 of 10 thresholds): AP 0.7', () => {
  const r = oksAp([gt(1)], [dt(1, 0.82, 0.9)], SIGMAS);
  close(r.ap, 0.7);
  close(r.ap50, 1);
  close(r.ap75, 1);
  assert.deepEqual(r.apByThreshold.map((a) => Math.round(a)), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
});

test('a confident poor detection ranked above a good one: AP at strict thresholds is 25.5/101', () => {
  // Image 1: OKS 0.62 with score 0.9; image 2: OKS 0.99 with score 0.8. At 0.50..0.60 both are true
  // positives (AP 1). From 0.65 on, image 1's is a false positive ranked first: recall [0, .5],
  // precision [0, .5] -> made monotone [.5, .5]; recall points 0..0.50 (51 of 101) read 0.5.
  const r = oksAp([gt(1), gt(2)], [dt(1, 0.62, 0.9), dt(2, 0.99, 0.8)], SIGMAS);
  const strict = 25.5 / 101;
  close(r.ap50, 1);
  close(r.ap75, strict);
  close(r.ap, (3 + 7 * strict) / 10);
  // Ranked the other way round the precision is [1, .5] -> recall points 0..0.50 read 1: 51/101.
  const swapped = oksAp([gt(1), gt(2)], [dt(1, 0.62, 0.8), dt(2, 0.99, 0.9)], SIGMAS);
  close(swapped.ap75, 51 / 101);
});

test('a missed image and a duplicate detection: recall stops at 1/2, the duplicate is a false positive', () => {
  // Image 1 detected perfectly (score 0.9) plus a duplicate (score 0.3); image 2 not detected.
  // Ranked: tp (rc .5, pr 1), fp (rc .5, pr .5) -> recall points 0..0.50 read 1: AP = 51/101 everywhere.
  const r = oksAp([gt(1), gt(2)], [dt(1, 1, 0.9), dt(1, 1, 0.3)], SIGMAS);
  close(r.ap, 51 / 101);
  close(r.ap50, 51 / 101);
});

test('no ground truth at all: AP is -1 as in pycocotools', () => {
  assert.equal(oksAp([], [dt(1, 1, 0.9)], SIGMAS).ap, -1);
});
