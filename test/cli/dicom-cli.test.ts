/**
 * `spinesurv dicom` as a user meets it, on files made by dcmtk (the independent producer): the output
 * format follows the name (PNG, or a refusal), `info` names the transfer syntax beside its UID (names
 * from PS3.6, checked against dcmtk's own dcmdump), and dcmtk's 12-bit JPEG-lossless and JPEG-LS files
 * (16-bit codestreams) read without a false "top bits were dropped" warning, while a file whose samples
 * really exceed Bits Stored still warns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtures, modified } from '../imaging/fixtures.js';
import { tool } from '../imaging/dcmtk.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('dicom png writes PNG for a .png name and refuses any other name, writing nothing', () => {
  const set = fixtures();
  const file = set.base12;
  for (const name of ['out.jpg', 'out.jpeg', 'out.tif', 'out']) {
    const out = join(set.dir, name);
    const r = run(['dicom', 'png', file, out]);
    assert.equal(r.status, 2, name);
    assert.match(r.stderr, /writes PNG only; name the output with \.png/);
    assert.ok(!existsSync(out), `${name} not written`);
  }
  const png = join(set.dir, 'preview.PNG');
  assert.equal(run(['dicom', 'png', file, png]).status, 0);
  assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  rmSync(png);
});

test('dicom info names the transfer syntax beside its UID, as dcmdump does', () => {
  const set = fixtures();
  for (const name of ['jpeg-ls-12', 'jpeg-sv1-12']) {
    const f = set.encodings.find((e) => e.name === name)!;
    const info = JSON.parse(run(['dicom', 'info', f.path, '--json']).stdout);
    const dump = tool('dcmdump', ['-s', '+P', '0002,0010', f.path]).stdout; // "(0002,0010) UI =JPEGLSLossless"
    assert.equal(info.transfer_syntax, f.transferSyntax);
    const dcmtkName = /=(\w+)/.exec(dump)![1];
    const expected: Record<string, string> = { JPEGLSLossless: 'JPEG-LS Lossless', JPEGLossless: 'JPEG Lossless (Process 14, SV1)' };
    assert.equal(info.transfer_syntax_name, expected[dcmtkName], `${name}: dcmdump says ${dcmtkName}`);
    assert.match(run(['dicom', 'info', f.path]).stdout, new RegExp(`transfer_syntax_name +${expected[dcmtkName].replace(/[()]/g, '\\$&')}\\n`));
  }
});

test("dcmtk's 12-bit JPEG-lossless and JPEG-LS files read without a false top-bits warning; real overflow still warns", () => {
  const set = fixtures();
  const twelve = set.encodings.filter((e) => e.bitsStored === 12 && /jpeg-(sv1|p14|ls)/.test(e.name) && !/near/.test(e.name));
  assert.ok(twelve.length >= 3, twelve.map((e) => e.name).join(', '));
  for (const f of twelve) {
    const info = JSON.parse(run(['dicom', 'info', f.path, '--json']).stdout);
    assert.deepEqual(info.warnings, [], f.name);
  }
  // 16-bit samples under a header that claims 12 bits: values above 4095 really are cut.
  const sixteen = set.encodings.find((e) => e.name === 'jpeg-ls-16')!;
  const liar = modified(sixteen.path, 'claims-12', ['-m', '(0028,0101)=12', '-m', '(0028,0102)=11']);
  const info = JSON.parse(run(['dicom', 'info', liar, '--json']).stdout);
  assert.equal(info.warnings.length, 1, JSON.stringify(info.warnings));
  assert.match(info.warnings[0], /codestream has 16-bit samples but Bits Stored is 12; \d+ samples used the top bits, which were dropped/);
});
