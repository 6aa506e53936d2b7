import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, formatCsv } from '../../src/util/csv.js';
import { InputError } from '../../src/util/errors.js';

test('numbers may be quoted; missing and non-numeric cells name column and line', () => {
  const t = parseCsv('a,b\n"1.5",2\n,x\n', 'f.csv');
  assert.throws(() => t.numbers('a'), (e: Error) => e instanceof InputError && /"a", line 3: missing/.test(e.message));
  assert.throws(() => t.numbers('b'), (e: Error) => /"b", line 3: "x" is not a number/.test(e.message));
  assert.throws(() => t.numbers('c'), /no column "c"/);
  assert.equal(t.numbers('a', { missing: 'nan' })[0], 1.5);
});

test('format then parse round-trips', () => {
  const text = formatCsv(['id', 'x'], [['a,b', 0.1 + 0.2], ['c', -3]]);
  const t = parseCsv(text);
  assert.deepEqual(t.strings('id'), ['a,b', 'c']);
  assert.equal(t.numbers('x')[0], 0.1 + 0.2);
});

test('a missing cell is empty or NA, spaces aside', async () => {
  const { isMissingCell } = await import('../../src/util/csv.js');
  assert.deepEqual(['', '  ', 'NA', ' NA ', undefined, '0', 'na'].map(isMissingCell), [true, true, true, true, true, false, false]);
});
