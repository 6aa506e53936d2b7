// The one reader of keypoint files: the COCO keypoints format spinesurv writes, the results list the
// detector writes, and bad input of either kind (an InputError naming the file and the entry, so the
// CLI exits 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeypoints } from '../../src/keypoints/index.js';
import { InputError, exitCodeFor } from '../../src/util/errors.js';

test('a COCO file in the (0, 0)-centre convention is shifted half a pixel; results lists keep flags; duplicates are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keypoints-read-'));
  try {
    const coco = {
      info: { coordinates: 'pixels; the centre of the top-left pixel is (0, 0); x = column, y = row' },
      images: [{ id: 7, file_name: 'images/a.dcm' }, { id: 8, file_name: 'images/b.dcm' }, { id: 9, file_name: 'images/c.dcm' }],
      annotations: [
        { image_id: 7, category_id: 1, keypoints: [1, 2, 2, 3, 4, 2, 5, 6, 2, 7, 8, 2, 9, 10, 2] },
        { image_id: 8, category_id: 1, keypoints: [1, 2, 2, 3, 4, 0, 5, 6, 2, 7, 8, 2, 9, 10, 2] },
      ],
      categories: [{ id: 1, name: 'lumbar_spine', keypoints: ['L1', 'L2', 'L3', 'L4', 'L5'] }],
    };
    writeFileSync(join(dir, 'kp.json'), JSON.stringify(coco));
    const src = readKeypoints(join(dir, 'kp.json'));
    assert.equal(src.format, 'coco-keypoints');
    assert.equal(src.shift, 0.5);
    const a = src.lookup('./images/a.dcm', dir);
    assert.deepEqual(Array.from(a?.keypoints ?? []), [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5]);
    assert.equal(a?.imageId, 7);
    assert.match(src.lookup('images/b.dcm', dir)?.problem ?? '', /keypoint L2 missing/);
    assert.match(src.lookup('images/c.dcm', dir)?.problem ?? '', /no keypoint annotation/);

    const results = [
      { image_id: 1, file_name: join(dir, 'images/a.dcm'), category_id: 1, keypoints: [1, 2, 1, 3, 4, 1, 5, 6, 1, 7, 8, 1, 9, 10, 1], score: 0.9, flags: [] },
      { image_id: 2, file_name: 'images/b.dcm', category_id: 1, keypoints: [1, 2, 1, 3, 4, 1, 5, 6, 1, 7, 8, 1, 9, 10, 1], score: 0.2, flags: ['low_confidence'] },
      { image_id: 3, file_name: 'images/c.dcm', category_id: 1, keypoints: [1, 2, 1], score: 0.9, flags: [] },
      { image_id: 4, file_name: 'images/c.dcm', category_id: 1, keypoints: [1, 2, 1], score: 0.9, flags: [] },
    ];
    writeFileSync(join(dir, 'pred.json'), JSON.stringify(results));
    const pred = readKeypoints(join(dir, 'pred.json'));
    assert.equal(pred.format, 'coco-results');
    assert.equal(pred.shift, 0);
    // Absolute file names (landmarks predict --images) are matched by path.
    assert.deepEqual(Array.from(pred.lookup('images/a.dcm', dir)?.keypoints ?? []), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(pred.lookup('images/b.dcm', dir)?.problem ?? '', /flagged by the keypoint detector: low_confidence/);
    assert.match(pred.lookup('images/c.dcm', dir)?.problem ?? '', /listed more than once/);

    writeFileSync(join(dir, 'bad.json'), '{"images": []}');
    assert.throws(() => readKeypoints(join(dir, 'bad.json')), /bad\.json: a COCO keypoints file needs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const L1_L5 = ['L1', 'L2', 'L3', 'L4', 'L5'];
const FIVE = [10, 20, 2, 11, 30, 2, 12, 40, 2, 13, 50, 2, 14, 60, 2];

/** Writes `doc` (or text) to a fresh folder and reads it; the folder is removed afterwards. */
function readWritten<T>(doc: unknown, check: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'keypoints-read-'));
  try {
    const path = join(dir, 'kp.json');
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return check(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The InputError of reading `doc`: it must name the file, exit 2, and match `message`. */
function refused(doc: unknown, message: RegExp): void {
  readWritten(doc, (path) => {
    assert.throws(() => readKeypoints(path), (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.equal(exitCodeFor(error), 2);
      assert.ok(error.message.startsWith(`${path}: `), error.message);
      assert.match(error.message, message);
      return true;
    });
  });
}

const cocoFile = (overrides: Record<string, unknown> = {}) => ({
  images: [{ id: 1, file_name: 'images/a.dcm', width: 100, height: 120 }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, keypoints: FIVE, area: 500 }],
  categories: [{ id: 1, name: 'lumbar_spine', keypoints: L1_L5 }],
  ...overrides,
});

test('a COCO file without a coordinates note is read as it is (COCO convention): ids, sizes, area and pixel spacing kept', () => {
  readWritten(cocoFile({ images: [{ id: 1, file_name: 'images/a.dcm', width: 100, height: 120, pixel_spacing: [0.2, 0.25] }] }), (path) => {
    const file = readKeypoints(path);
    assert.equal(file.shift, 0);
    assert.equal(file.sha256.length, 64);
    const e = file.byImageId.get(1)!;
    assert.deepEqual(Array.from(e.keypoints!), [10, 20, 11, 30, 12, 40, 13, 50, 14, 60]);
    assert.deepEqual([e.width, e.height, e.area, e.pixelSpacing, e.problem, e.where, e.annotationWhere], [100, 120, 500, [0.2, 0.25], null, 'images[0]', 'annotations[0]']);
  });
});

test('two annotations of one image make it unusable, each named', () => {
  const second = { id: 2, image_id: 1, category_id: 1, keypoints: FIVE, area: 500 };
  readWritten(cocoFile({ annotations: [cocoFile().annotations[0], second] }), (path) => {
    const e = readKeypoints(path).entries[0];
    assert.equal(e.keypoints, null);
    assert.equal(e.problem, '2 keypoint annotations for this image (annotations[0], annotations[1])');
  });
});

test('bad input is an InputError naming the file and the entry', () => {
  refused('{"images": [', /not valid JSON/);
  refused('"keypoints"', /expected a COCO keypoints file .* or a COCO results list/);
  refused(cocoFile({ categories: [{ id: 1, name: 'spine', keypoints: ['L1', 'L2', 'L3', 'L4', 'S1'] }] }), /categories\[0\] \("spine"\): keypoint "S1" is not one of L1, L2, L3, L4, L5/);
  refused(cocoFile({ categories: [{ id: 1, name: 'spine', keypoints: ['l1', 'l2', 'l3', 'l4', 'l5'] }] }), /keypoint "l1" is not one of L1/);
  refused(cocoFile({ categories: [{ id: 1, name: 'spine', keypoints: ['L1', 'L2', 'L3', 'L4'] }] }), /categories\[0\] \("spine"\): keypoints L1, L2, L3, L4 lack L5/);
  refused(cocoFile({ categories: [{ id: 1, name: 'spine', keypoints: ['L1', 'L2', 'L2', 'L4', 'L5'] }] }), /keypoint "L2" is named twice/);
  refused(cocoFile({ categories: [{ id: 1, name: 'spine' }] }), /no category lists keypoint names/);
  refused(cocoFile({ images: [{ id: 1 }] }), /images\[0\] needs a numeric "id" and a "file_name"/);
  refused(cocoFile({ images: [{ id: 1, file_name: 'a.dcm' }, { id: 1, file_name: 'b.dcm' }] }), /images\[1\] has id 1, as images\[0\] has/);
  refused(cocoFile({ annotations: [{ image_id: 9, category_id: 1, keypoints: FIVE }] }), /annotations\[0\]: image_id 9 is not among the images/);
  refused(cocoFile({ annotations: [{ image_id: 1, category_id: 1, keypoints: FIVE.slice(3) }] }), /annotations\[0\]: "keypoints" must be 15 numbers \(x, y, v for L1, L2, L3, L4, L5/);
  refused(cocoFile({ annotations: [{ image_id: 1, category_id: 1, keypoints: FIVE.map((v, i) => (i === 4 ? 'x' : v)) }] }), /annotations\[0\]: "keypoints" must be 15 numbers/);
  refused(cocoFile({ annotations: [{ image_id: 1, category_id: 4, keypoints: FIVE }] }), /annotations\[0\]: category_id 4 is not among the categories/);
  refused([{ file_name: 'a.dcm', keypoints: FIVE, score: 1 }], /entry 0 has no numeric image_id/);
  refused([{ image_id: 1, file_name: 'a.dcm', keypoints: FIVE, score: 1, flags: 'none' }], /entry 0: "flags" must be an array/);
  readWritten('{}', (path) => assert.throws(() => readKeypoints(join(path, '..', 'absent.json')), /absent\.json: cannot read \(ENOENT\)/));
});

test('annotations of another label (a box) are skipped; a file with one keypoint category may leave category_id out', () => {
  const box = { id: 5, image_id: 1, category_id: 2, bbox: [0, 0, 10, 10], area: 100 };
  const categories = [{ id: 1, name: 'lumbar_spine', keypoints: L1_L5 }, { id: 2, name: 'box' }];
  readWritten(cocoFile({ categories, annotations: [box, { image_id: 1, keypoints: FIVE }] }), (path) => {
    const e = readKeypoints(path).entries[0];
    assert.equal(e.problem, null);
    assert.equal(e.annotationWhere, 'annotations[1]');
  });
});
