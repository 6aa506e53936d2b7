/** UID checks and file names (PS3.5 §9.1 rules, worked by hand). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { instanceFileName, isUid, legacyInstanceFileName, uidProblem, uidTag } from '../../src/serve/uid.js';

test('valid UIDs pass, leading zeros too (real modalities send them); paths, letters, empty components and > 64 characters do not', () => {
  for (const ok of ['1.2.840.10008.1.2', '2.25.318999091644169939751837485552975224452', '0.1', '1', '1.2.840.10008.01.5', '1.2.03']) {
    assert.equal(uidProblem(ok, 'UID'), null, ok);
    assert.equal(isUid(ok), true, ok);
  }
  assert.match(uidProblem('1.2.3/../../etc/passwd', 'UID')!, /not a valid UID \(digits and dots only\): character 6 is "\/"/);
  assert.match(uidProblem('1..2', 'UID')!, /character 3 is a misplaced "\."/);
  assert.match(uidProblem('1.2.', 'UID')!, /character 4 is a misplaced "\."/);
  assert.match(uidProblem('1.2.abc', 'UID')!, /character 5 is "a"/);
  assert.match(uidProblem(`1.${'2'.repeat(63)}`, 'UID')!, /65 characters long/);
  assert.match(uidProblem('', 'SOP Instance UID')!, /no SOP Instance UID/);
  assert.match(uidProblem('1.2\u0000\n', 'UID')!, /character 4 is U\+0000/, 'control characters are named, not echoed');
  for (const bad of ['', '.', '1.', '.1', '1..2', '1.2a', '../1', ' 1', `2.25.${'9'.repeat(60)}`, 12]) assert.equal(isUid(bad), false, String(bad));
});

test('a refused UID is never written out: the message carries its hash tag (sha256 prefix) instead', () => {
  const uid = '1.2.826.0.1.3680043.2.1125.77x';
  const message = uidProblem(uid, 'SOP Instance UID')!;
  assert.ok(!message.includes('1.2.826.0.1.3680043'), message);
  assert.ok(message.includes(createHash('sha256').update(uid).digest('hex').slice(0, 12)), message);
});

test('file names and log tags are hex digests, never the UID; the bytes\' hash is part of the name', () => {
  const uid = '1.2.826.0.1.3680043.2.1125.1';
  const sha = 'a'.repeat(64);
  assert.match(instanceFileName(uid, sha), /^[0-9a-f]{40}\.dcm$/);
  assert.match(uidTag(uid), /^[0-9a-f]{12}$/);
  assert.ok(!instanceFileName(uid, sha).includes(uid));
  assert.notEqual(instanceFileName(uid, sha), instanceFileName(`${uid}0`, sha));
  assert.notEqual(instanceFileName(uid, sha), instanceFileName(uid, 'b'.repeat(64)), 'other bytes, another file');
  // By hand: sha256 of "UID\nSHA", first 40 hex digits; the older name: sha256 of the UID.
  assert.equal(instanceFileName(uid, sha), `${createHash('sha256').update(`${uid}\n${sha}`).digest('hex').slice(0, 40)}.dcm`);
  assert.equal(legacyInstanceFileName(uid), `${createHash('sha256').update(uid).digest('hex').slice(0, 40)}.dcm`);
});
