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

test('quoting as RFC 4180 (commas, doubled quotes and line breaks inside quotes), CRLF, BOM, blank lines, trimmed header', async () => {
  const { parseCsv } = await import('../../src/util/csv.js');
  const t = parseCsv('\ufeff id , "na,me" ,x\r\n1,"a ""b""",2\r\n\r\n2,"line\nbreak",\r\n', 'q.csv');
  assert.deepEqual(t.header, ['id', 'na,me', 'x']);
  assert.equal(t.length, 2);
  assert.deepEqual(t.strings('na,me'), ['a "b"', 'line\nbreak']);
  assert.deepEqual([...t.numbers('x', { missing: 'nan' })], [2, NaN]);
  assert.deepEqual(t.rows, [['1', 'a "b"', '2'], ['2', 'line\nbreak', '']]);
  assert.equal(t.lineOfRow(1), 3);
  assert.throws(() => parseCsv('a,b\n1,"x"y\n', 'bad.csv'), /bad\.csv: line 2: text after a closing quote/);
  assert.throws(() => parseCsv('', 'empty.csv'), /empty\.csv: empty file/);
  assert.throws(() => parseCsv('a, a\n1,2\n', 'dup.csv'), /column "a" appears twice/);
});

test('numbers read from the bytes equal Number() of the text, for every form (exact fast path and fallback)', async () => {
  const { parseCsv } = await import('../../src/util/csv.js');
  const { Random } = await import('../../src/util/random.js');
  const r = new Random(14);
  const cells: string[] = ['0', '-0', '+5', '5.', '.5', '007', '1e5', '1E-5', '-2.5e+3', '0.1', '0.30000000000000004', '9007199254740993',
    '123456789012345', '1234567890123456789', '1e22', '1e23', '4.9e-324', '1.7976931348623157e308', '0x1F', ' 42 ', '\t7', '1e-22', '1e-23'];
  for (let i = 0; i < 3000; i++) {
    const v = (r.uniform() - 0.5) * 10 ** Math.floor(r.uniform() * 40 - 20);
    cells.push(i % 3 === 0 ? String(v) : i % 3 === 1 ? v.toFixed(Math.floor(r.uniform() * 12)) : v.toPrecision(1 + Math.floor(r.uniform() * 17)));
  }
  const t = parseCsv('x\n' + cells.map((c) => `"${c}"`).join('\n') + '\n');
  const got = t.numbers('x');
  cells.forEach((c, i) => assert.ok(Object.is(got[i], Number(c.trim())), `${JSON.stringify(c)}: ${got[i]} vs ${Number(c.trim())}`));
  const plain = parseCsv('x\n' + cells.join('\n') + '\n').numbers('x');
  cells.forEach((c, i) => assert.ok(Object.is(plain[i], Number(c.trim())), `unquoted ${JSON.stringify(c)}`));
});

test('the same tables as csv-parse (an independent RFC 4180 reader) on random awkward text', async () => {
  const { parseCsv, formatCsv } = await import('../../src/util/csv.js');
  const { parse } = await import('csv-parse/sync');
  const { Random } = await import('../../src/util/random.js');
  const r = new Random(41);
  const pieces = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '1.5', 'NA', ''];
  for (let k = 0; k < 200; k++) {
    const width = 1 + Math.floor(r.uniform() * 4);
    const header = Array.from({ length: width }, (_, j) => `c${j}`);
    const rows = Array.from({ length: 1 + Math.floor(r.uniform() * 5) }, () =>
      Array.from({ length: width }, () => Array.from({ length: Math.floor(r.uniform() * 4) }, () => pieces[Math.floor(r.uniform() * pieces.length)]).join('')),
    );
    // formatCsv quotes what needs quoting; a row that is one empty cell would be an empty line, which both skip.
    const kept = rows.filter((row) => !(width === 1 && row[0] === ''));
    const text = formatCsv(header, kept);
    const ours = parseCsv(text);
    const theirs = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
    assert.deepEqual([ours.header, ...ours.rows], theirs, JSON.stringify(text));
  }
});
