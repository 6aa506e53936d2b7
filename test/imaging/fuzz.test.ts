import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDicom, writePng16 } from '../../src/imaging/index.js';
import { scratchDir, tool } from './dcmtk.js';
import { baseImage, COLUMNS, ROWS } from './fixtures.js';

const worker = fileURLToPath(new URL('./fuzz-worker.js', import.meta.url));

test('1,000 seeded random corruptions of valid files never crash or hang: each gives an image or a named error', (t) => {
  const dir = scratchDir('fuzz-');
  try {
    const pixels = baseImage(12, 5);
    const base = join(dir, 'native.dcm');
    writeDicom(base, { pixels, rows: ROWS, columns: COLUMNS, bitsStored: 12, pixelSpacing: [0.15, 0.15] });
    const sources = [base];
    const encode = (name: string, command: string, args: string[]) => {
      const out = join(dir, name);
      tool(command, [...args, base, out]);
      sources.push(out);
    };
    encode('implicit.dcm', 'dcmconv', ['+ti']);
    encode('deflated.dcm', 'dcmconv', ['+td']);
    encode('rle.dcm', 'dcmcrle', []);
    encode('sv1.dcm', 'dcmcjpeg', ['+e1']);
    encode('extended12.dcm', 'dcmcjpeg', ['+ee']);
    encode('baseline8.dcm', 'dcmcjpeg', ['+eb']);
    encode('jpegls.dcm', 'dcmcjpls', []);
    const pgm = join(dir, 'x.pgm');
    const header = Buffer.from(`P5\n${COLUMNS} ${ROWS}\n4095\n`, 'latin1');
    const body = Buffer.alloc(pixels.length * 2);
    pixels.forEach((v, i) => body.writeUInt16BE(v, 2 * i));
    writeFileSync(pgm, Buffer.concat([header, body]));
    tool('opj_compress', ['-i', pgm, '-o', join(dir, 'x.j2k')]);
    const j2k = join(dir, 'j2k.dcm');
    writeDicom(j2k, { pixels, rows: ROWS, columns: COLUMNS, bitsStored: 12, pixelSpacing: [0.15, 0.15], encapsulated: { transferSyntax: '1.2.840.10008.1.2.4.90', frame: readFileSync(join(dir, 'x.j2k')) } });
    sources.push(j2k);
    const png = join(dir, 'x.png');
    writePng16(png, pixels, COLUMNS, ROWS);
    sources.push(png);
    assert.equal(sources.length, 10);

    const started = Date.now();
    const run = spawnSync(process.execPath, [worker, '20260601', '100', ...sources], { encoding: 'utf8', timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.signal, null, `fuzz worker was killed (${run.signal}) after ${seconds} s: a hang`);
    assert.equal(run.status, 0, `fuzz worker crashed: ${run.stderr.slice(-2000)}`);
    const result = JSON.parse(run.stdout) as { valid: number; errors: Record<string, number>; bad: string[]; slowestMs: number };
    const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
    t.diagnostic(`${seconds.toFixed(1)} s: ${result.valid} valid images, errors ${JSON.stringify(result.errors)}, slowest copy ${result.slowestMs.toFixed(0)} ms`);
    assert.deepEqual(result.bad, [], 'outcomes that are neither a valid image nor a named read error');
    assert.equal(result.valid + errors, 1000);
    assert.ok(result.valid > 50 && errors > 300, `expected a mix of readable and refused copies: ${JSON.stringify(result)}`);
    assert.ok(result.slowestMs < 5000, `one copy took ${result.slowestMs} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
