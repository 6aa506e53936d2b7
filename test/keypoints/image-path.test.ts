// The one rule for matching a keypoints file's file_name to a cohort's image column, and the lookup
// and the unmatched-name check built on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseImagePath, readKeypoints, requireEveryEntryMatched, unmatchedEntries } from '../../src/keypoints/index.js';
import { InputError } from '../../src/util/errors.js';

test('separators, a leading ./ and repeated or . segments are normalised; case is kept as written', () => {
  assert.equal(normaliseImagePath('images\\sub\\x.dcm'), 'images/sub/x.dcm');
  assert.equal(normaliseImagePath('./images/x.dcm'), 'images/x.dcm');
  assert.equal(normaliseImagePath('.\\images\\x.dcm'), 'images/x.dcm');
  assert.equal(normaliseImagePath('images//./x.dcm'), 'images/x.dcm');
  assert.equal(normaliseImagePath('/data/cohort/x.dcm'), '/data/cohort/x.dcm');
  assert.equal(normaliseImagePath('Images/X.DCM'), 'Images/X.DCM');
});

test('the lookup finds an image written another way, or by its absolute path; case differences and unlisted images are not found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keypoints-path-'));
  try {
    const doc = {
      images: [
        { id: 1, file_name: 'images\\p1\\a.dcm' },
        { id: 2, file_name: './images/b.dcm' },
        { id: 3, file_name: 'images/B.dcm' },
      ],
      annotations: [],
      categories: [{ id: 1, name: 'lumbar_spine', keypoints: ['L1', 'L2', 'L3', 'L4', 'L5'] }],
    };
    writeFileSync(join(dir, 'kp.json'), JSON.stringify(doc));
    const file = readKeypoints(join(dir, 'kp.json'));
    assert.equal(file.lookup('images/p1/a.dcm', dir)?.imageId, 1);
    assert.equal(file.lookup(join(dir, 'images', 'p1', 'a.dcm'), dir)?.imageId, 1);
    assert.equal(file.lookup('images/b.dcm', dir)?.imageId, 2);
    assert.equal(file.lookup('images/B.dcm', dir)?.imageId, 3);
    assert.equal(file.lookup('images/c.dcm', dir), undefined);
    assert.equal(file.lookup('IMAGES/p1/a.dcm', dir), undefined);

    // The cohort names a.dcm and b.dcm: B.dcm (another file on a case-sensitive disk) names nothing.
    const cohortImages = ['images/p1/a.dcm', join(dir, 'images/b.dcm')];
    assert.deepEqual(unmatchedEntries(file, cohortImages, dir).map((e) => e.where), ['images[2]']);
    assert.throws(
      () => requireEveryEntryMatched(file, cohortImages, dir, 'cohort.csv'),
      (error: unknown) => error instanceof InputError
        && error.message.startsWith(`${join(dir, 'kp.json')}: 1 of 3 file_name values name no image of cohort.csv: images[2] "images/B.dcm" (file_name is compared`),
    );
    requireEveryEntryMatched(file, [...cohortImages, 'images/B.dcm'], dir, 'cohort.csv');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
