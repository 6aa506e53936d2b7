// COCO keypoints as the common annotation tools export them, read as exported. The fixtures were
// written by hand from each tool's documented export format:
//
// CVAT, "COCO Keypoints 1.0" (docs.cvat.ai/docs/manual/advanced/formats/coco-keypoints: skeletons
// exported through Datumaro's coco_person_keypoints; exporter in openvinotoolkit/datumaro
// datumaro/plugins/data_formats/coco/exporter.py, _KeypointsExporter): every label is a category with
// id 1 + its index and the parent label as supercategory, so the skeleton's points come again as
// categories of their own with empty keypoint lists; the skeleton's category lists its point names in
// the order the skeleton was drawn, with 1-based skeleton edges; images carry license, flickr_url,
// coco_url and date_captured; an annotation has segmentation [], area = its bbox's width x height,
// attributes, float keypoints and num_keypoints; visibility is 0 for a point marked outside (its
// coordinates are still written), 1 for occluded, 2 for visible.
//
// Label Studio, "COCO" export of KeyPointLabels (HumanSignal/label-studio-sdk,
// src/label_studio_sdk/converter/converter.py convert_to_coco and keypoints.py; labelstud.io/guide/export.html#COCO):
// the other labels' categories come first, re-numbered from 0, then one merged category named "default"
// whose keypoints are the KeyPointLabels in the labelling config's order; image ids count from 0 and an
// uploaded image's file_name is "images/<8 hex digits>-<upload name>"; a keypoint annotation has integer
// keypoints (percent of the image size times the size, rounded), num_keypoints, bbox and iscrowd but no
// area, and a point not placed is [0, 0, 0]; rectangles are annotations of their own category. Its info
// names "Label Studio" as contributor and says nothing of pixel centres.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { detectorTruth, readTruthFile } from '../../src/landmarks/coco.js';
import { readKeypoints, requireEveryEntryMatched } from '../../src/keypoints/index.js';
import { InputError, exitCodeFor } from '../../src/util/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/keypoints/fixtures/${name}`, import.meta.url));
const CVAT = fixture('cvat-coco-keypoints-1.0.json');
const LABEL_STUDIO = fixture('label-studio-coco.json');
const xy = (k: Float64Array | null) => Array.from(k ?? []);

test('CVAT COCO Keypoints 1.0: points found by name in the skeleton category, whatever its place and point order', () => {
  const file = readKeypoints(CVAT);
  assert.equal(file.format, 'coco-keypoints');
  assert.equal(file.shift, 0);
  assert.equal(file.entries.length, 3);
  // Named L3, L1, L2, L4, L5 in the file; put back in L1..L5 order. L4 occluded (v = 1) is still a point.
  const first = file.lookup('images/SYN0001.png', '/cohort')!;
  assert.deepEqual(xy(first.keypoints), [512.4, 380.2, 518.9, 488.7, 530.5, 598.3, 544.1, 706.0, 560.4, 813.8]);
  assert.deepEqual([first.imageId, first.width, first.height, first.area, first.problem], [1, 1024, 1280, 20812.8, null]);
  // L5 marked outside (v = 0): missing, whatever coordinates the file kept.
  const second = file.lookup('images/SYN0002.png', '/cohort')!;
  assert.ok(Number.isNaN(second.keypoints![8]) && Number.isNaN(second.keypoints![9]));
  assert.equal(second.problem, 'keypoint L5 missing');
  assert.equal(file.lookup('images/SYN0003.png', '/cohort')!.problem, 'no keypoint annotation for this image');
  // The cohort's image column as a Windows spreadsheet may write it finds the same images.
  requireEveryEntryMatched(file, ['.\\images\\SYN0001.png', 'images\\SYN0002.png', './images/SYN0003.png'], '/cohort', 'cohort.csv');
});

test('CVAT export: the detector takes its area as the object scale and refuses the image with L5 outside', () => {
  const file = readTruthFile(CVAT);
  const truth = detectorTruth(file, 1);
  assert.equal(truth.area, 20812.8);
  assert.deepEqual(truth.keypoints.filter((_, i) => i % 3 === 2), [2, 2, 2, 2, 2]);
  assert.throws(() => detectorTruth(file, 2), /cvat-coco-keypoints-1\.0\.json: images\[1\] \(images\/SYN0002\.png\): keypoint L5 missing; the keypoint detector needs all five points/);
});

test('Label Studio COCO: points found by name in the merged "default" category (listed L5..L1), the box label skipped', () => {
  const file = readKeypoints(LABEL_STUDIO);
  assert.equal(file.shift, 0);
  const first = file.lookup('images/0c4f2a9e-SYN0001.png', '/cohort')!;
  assert.equal(first.imageId, 0);
  assert.deepEqual(xy(first.keypoints), [512, 380, 519, 489, 531, 598, 544, 706, 560, 814]);
  assert.equal(first.annotationWhere, 'annotations[1]');
  assert.deepEqual([first.area, first.bbox, first.problem], [null, [512, 380, 48, 434], null]);
  // L5 not placed: [0, 0, 0] in the file.
  const second = file.lookup('images/7b19d3c5-SYN0002.png', '/cohort')!;
  assert.deepEqual(xy(second.keypoints).slice(0, 8), [490, 403, 497, 511, 505, 622, 520, 732]);
  assert.equal(second.problem, 'keypoint L5 missing');
  // Without an area, the detector's object scale is the bbox's width x height, as CVAT's area is.
  assert.equal(detectorTruth(readTruthFile(LABEL_STUDIO), 0).area, 48 * 434);
});

test("Label Studio's upload names match no cohort image: the error lists each, naming the file", () => {
  const file = readKeypoints(LABEL_STUDIO);
  assert.throws(() => requireEveryEntryMatched(file, ['images/SYN0001.png', 'images/SYN0002.png', 'images/SYN0003.png'], '/cohort', '/cohort/cohort.csv'), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(exitCodeFor(error), 2);
    assert.ok(error.message.startsWith(`${LABEL_STUDIO}: 3 of 3 file_name values name no image of /cohort/cohort.csv: `), error.message);
    assert.match(error.message, /images\[0\] "images\/0c4f2a9e-SYN0001\.png", images\[1\] "images\/7b19d3c5-SYN0002\.png", images\[2\] "images\/e2a06f41-SYN0003\.png"/);
    return true;
  });
});
