import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDicom, encodeDicom, type DicomImageToWrite } from '../../src/imaging/index.js';
import { Random } from '../../src/util/random.js';
import { spawnSync } from 'node:child_process';
import { dcmtkPixelBytes, scratchDir, tool } from './dcmtk.js';


function sampleImage(bitsStored: 12 | 16, seed: number, rows = 61, columns = 47): DicomImageToWrite {
  const rng = new Random(seed);
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(2 ** bitsStored);
  return { pixels, rows, columns, bitsStored, pixelSpacing: [0.15, 0.143], patientId: 'SYN-0001', seriesDescription: 'lateral lumbar' };
}

test('same input gives the same bytes; different pixels or patients give different UIDs', () => {
  const a = encodeDicom(sampleImage(12, 1));
  assert.deepEqual(encodeDicom(sampleImage(12, 1)), a);
  const b = encodeDicom(sampleImage(12, 2));
  const c = encodeDicom({ ...sampleImage(12, 1), patientId: 'SYN-0002' });
  const uidOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1').match(/2\.25\.\d+/g)!.slice(0, 1)[0];
  assert.notEqual(uidOf(a), uidOf(b));
  assert.notEqual(uidOf(a), uidOf(c));
});

test('dcmtk reads DX and secondary-capture files without a warning and gets the same pixels', () => {
  const dir = scratchDir('writer-');
  try {
    for (const [modality, bits] of [['DX', 12], ['DX', 16], ['OT', 16]] as const) {
      const image = { ...sampleImage(bits, 7), modality, viewPosition: 'LL' };
      const path = join(dir, `${modality}-${bits}.dcm`);
      writeDicom(path, image);
      const dump = tool('dcmdump', ['-dc', path]);
      assert.equal(dump.stderr, '', `dcmdump warned on ${modality} ${bits}-bit: ${dump.stderr}`);
      assert.match(dump.stdout, modality === 'DX' ? /DigitalXRayImageStorageForPresentation/ : /SecondaryCaptureImageStorage/);
      assert.match(dump.stdout, /\(0028,0101\) US (12|16)/);
      const render = tool('dcmj2pnm', ['+on', path, join(dir, 'out.png')]);
      assert.equal(render.stderr, '', `dcmj2pnm warned: ${render.stderr}`);
      const raw = dcmtkPixelBytes(path);
      assert.deepEqual(new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2), image.pixels);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is refused with a reason', () => {
  const img = sampleImage(12, 3);
  assert.throws(() => encodeDicom({ ...img, rows: 60 }), /rows\*columns/);
  assert.throws(() => encodeDicom({ ...img, pixels: new Uint16Array(img.pixels.length).fill(5000) }), /above 4095/);
  assert.throws(() => encodeDicom({ ...img, pixelSpacing: [0, 0.1] }), /pixelSpacing/);
  assert.throws(() => encodeDicom({ ...img, studyDate: '2024-01-01' }), /YYYYMMDD/);
});

test('the atomic write leaves the finished file only', () => {
  const dir = scratchDir('writer-atomic-');
  try {
    const path = join(dir, 'x.dcm');
    writeDicom(path, sampleImage(16, 4));
    assert.equal(Buffer.from(readFileSync(path)).subarray(128, 132).toString('latin1'), 'DICM');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// dicom3tools is part of the test set-up (scripts/setup.sh); without it this test fails, it is not skipped.
test('dciodvfy (dicom3tools) finds no error in DX and secondary-capture files', () => {
  assert.equal(spawnSync('dciodvfy', ['-'], { encoding: 'utf8' }).error, undefined, 'dciodvfy not installed: run scripts/setup.sh (Debian package dicom3tools)');
  const dir = scratchDir('writer-iod-');
  try {
    for (const [modality, bits, view] of [['DX', 12, 'LL'], ['DX', 16, undefined], ['OT', 16, undefined]] as const) {
      const path = join(dir, `${modality}-${bits}.dcm`);
      writeDicom(path, { ...sampleImage(bits, 9), modality, viewPosition: view, studyDate: '20240131', studyTime: '101500' });
      const r = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
      const report = r.stdout + r.stderr;
      assert.doesNotMatch(report, /^Error/m, `${modality} ${bits}-bit:\n${report}`);
      // Only DICOMDIR hints may remain as warnings (no Patient ID given to the SC file).
      const warnings = report.split('\n').filter((l) => l.startsWith('Warning') && !/needed to build DICOMDIR/.test(l));
      assert.deepEqual(warnings, [], `${modality} ${bits}-bit`);
      assert.match(report, modality === 'DX' ? /DXImageForPresentation/ : /SCImage/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
