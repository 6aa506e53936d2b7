import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { writeDicom, windowToBytes } from '../../src/imaging/index.js';
import { scratchDir, tool } from './dcmtk.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function spinesurv(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

function image(rows: number, columns: number): Uint16Array {
  const px = new Uint16Array(rows * columns);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7) % 4096;
  return px;
}

test('dicom info --json has the CLI.md shape; statistics are modality values before the MONOCHROME1 turn; --phi only on request', () => {
  const dir = scratchDir('cli-dicom-');
  try {
    const px = image(20, 30);
    const path = join(dir, 'a.dcm');
    writeDicom(path, { pixels: px, rows: 20, columns: 30, bitsStored: 12, pixelSpacing: [0.2, 0.1], patientId: 'SECRET-ID-42' });
    tool('dcmodify', ['-nb', '-m', '(0028,0004)=MONOCHROME1', '-m', '(0028,1053)=2', '-m', '(0028,1052)=-100', path]);
    const r = spinesurv('dicom', 'info', path, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['rows', 'columns', 'photometric', 'transfer_syntax', 'bits_stored', 'pixel_spacing', 'spacing_source', 'min', 'max', 'mean']) {
      assert.ok(key in out, `missing ${key}`);
    }
    assert.equal(out.rows, 20);
    assert.equal(out.columns, 30);
    assert.equal(out.photometric, 'MONOCHROME1');
    assert.equal(out.transfer_syntax, '1.2.840.10008.1.2.1');
    assert.equal(out.bits_stored, 12);
    assert.deepEqual(out.pixel_spacing, [0.2, 0.1]);
    assert.equal(out.spacing_source, 'PixelSpacing');
    const modality = Array.from(px, (v) => 2 * v - 100);
    assert.equal(out.min, Math.min(...modality));
    assert.equal(out.max, Math.max(...modality));
    assert.ok(Math.abs(out.mean - modality.reduce((a, b) => a + b) / modality.length) < 1e-3);
    assert.ok(!r.stdout.includes('SECRET-ID-42') && !r.stderr.includes('SECRET-ID-42'));
    assert.equal(out.phi, undefined);

    const withPhi = spinesurv('dicom', 'info', path, '--json', '--phi');
    assert.equal(JSON.parse(withPhi.stdout).phi.PatientID, 'SECRET-ID-42');
    assert.ok(!withPhi.stderr.includes('SECRET-ID-42'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dicom png writes the windowed 8-bit preview; bad input exits 2 naming the file', async () => {
  const dir = scratchDir('cli-png-');
  try {
    const px = image(16, 24);
    const path = join(dir, 'a.dcm');
    writeDicom(path, { pixels: px, rows: 16, columns: 24, bitsStored: 12, pixelSpacing: [0.2, 0.2], window: { center: 1000, width: 500 } });
    const out = join(dir, 'a.png');
    assert.equal(spinesurv('dicom', 'png', path, out).status, 0);
    const { data, info } = await sharp(out).extractChannel(0).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 24);
    assert.equal(info.height, 16);
    // dcmtk renders the same file with the window stored in it (+Wi 1); its PNG is the reference.
    const reference = join(dir, 'dcmtk.png');
    tool('dcmj2pnm', ['+Wi', '1', '+on', path, reference]);
    const ref = await sharp(reference).extractChannel(0).toColourspace('b-w').raw().toBuffer();
    assert.equal(ref.length, 24 * 16);
    const ours = new Uint8Array(data);
    // dcmtk truncates the output of the linear VOI function (DICOM PS3.3 C.11.2.1.2) and spinesurv
    // rounds it, so they agree exactly or spinesurv is one grey level above; anything else is a bug.
    let exact = 0;
    for (let i = 0; i < ours.length; i++) {
      const d = ours[i] - ref[i];
      assert.ok(d === 0 || d === 1, `pixel ${i} (value ${px[i]}): spinesurv ${ours[i]}, dcmj2pnm ${ref[i]}`);
      if (d === 0) exact++;
    }
    assert.ok(exact > ours.length * 0.8, `only ${exact} of ${ours.length} pixels equal dcmj2pnm's`);
    // The standard's function itself, rounded: x <= c - 0.5 - (w-1)/2 -> 0; x > c - 0.5 + (w-1)/2 -> 255.
    const standard = (x: number) => (x <= 999.5 - 249.5 ? 0 : x > 999.5 + 249.5 ? 255 : Math.round(((x - 999.5) / 499 + 0.5) * 255));
    assert.deepEqual(Array.from(ours), Array.from(px, standard));
    assert.ok(new Set(ours).size > 20, 'the test image spans the window (a ramp, not just black and white)');
    // window edges: below the window black, above white, in between a ramp
    const bytes = windowToBytes(Float32Array.of(700, 749, 1000, 1250, 1300), { center: 1000, width: 500 });
    assert.deepEqual(Array.from(bytes), [0, 0, 128, 255, 255]);

    const notDicom = join(dir, 'x.txt');
    writeFileSync(notDicom, 'hello');
    const bad = spinesurv('dicom', 'png', notDicom, join(dir, 'x.png'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /x\.txt: not a DICOM file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dicom scan reports every file, failures with their reason, and goes on', () => {
  const dir = scratchDir('cli-scan-');
  try {
    const px = image(12, 12);
    const good = join(dir, 'good.dcm');
    writeDicom(good, { pixels: px, rows: 12, columns: 12, bitsStored: 12, pixelSpacing: [0.2, 0.2] });
    mkdirSync(join(dir, 'sub'));
    tool('dcmcrle', [good, join(dir, 'sub', 'rle.dcm')]);
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    writeFileSync(join(dir, 'cut.dcm'), readFileSync(good).subarray(0, 400));
    copyFileSync(good, join(dir, 'multi.dcm'));
    tool('dcmodify', ['-nb', '-i', '(0028,0008)=3', join(dir, 'multi.dcm')]);
    const r = spinesurv('dicom', 'scan', dir, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.files, 5);
    assert.equal(out.ok, 2);
    assert.equal(out.failed, 3);
    const byFile = Object.fromEntries(out.results.map((x: { file: string }) => [x.file, x]));
    assert.equal(byFile['sub/rle.dcm'].transfer_syntax, '1.2.840.10008.1.2.5');
    assert.equal(byFile['notes.txt'].kind, 'not-dicom');
    assert.equal(byFile['cut.dcm'].kind, 'truncated');
    assert.equal(byFile['multi.dcm'].kind, 'multi-frame');
    assert.equal(spinesurv('dicom', 'scan', dir, '--strict').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
