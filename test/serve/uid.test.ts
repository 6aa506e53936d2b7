/** UID checks and file names (PS3.5 §9.1 rules, worked by hand). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceFileName, uidProblem, uidTag } from '../../src/serve/uid.js';

test('valid UIDs pass; paths, letters, leading zeros, empty components and > 64 characters do not', () => {
  for (const ok of ['1.2.840.10008.1.2', '2.25.318999091644169939751837485552975224452', '0.1', '1']) assert.equal(uidProblem(ok, 'UID'), null, ok);
  assert.match(uidProblem('1.2.3/../../etc/passwd', 'UID')!, /not a valid UID/);
  assert.match(uidProblem('1.2.03', 'UID')!, /not a valid UID/);
  assert.match(uidProblem('1..2', 'UID')!, /not a valid UID/);
  assert.match(uidProblem('1.2.', 'UID')!, /not a valid UID/);
  assert.match(uidProblem('1.2.abc', 'UID')!, /not a valid UID/);
  assert.match(uidProblem(`1.${'2'.repeat(63)}`, 'UID')!, /65 characters long/);
  assert.match(uidProblem('', 'SOP Instance UID')!, /no SOP Instance UID/);
  assert.match(uidProblem('1.2\u0000\n', 'UID')!, /"1\.2\?\?"/, 'control characters are not echoed');
});

test('file names and log tags are hex digests, never the UID', () => {
  const uid = '1.2.826.0.1.3680043.2.1125.1';
  assert.match(instanceFileName(uid), /^[0-9a-f]{40}\.dcm$/);
  assert.match(uidTag(uid), /^[0-9a-f]{12}$/);
  assert.ok(!instanceFileName(uid).includes(uid));
  assert.notEqual(instanceFileName(uid), instanceFileName(`${uid}0`));
});
