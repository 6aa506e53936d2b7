import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRadiograph, RadiographReadError } from '../../src/imaging/index.js';
import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { decodeGreyJpeg, JpegDecodeError } from '../../src/imaging/dicom/codecs/jpeg-dct-grey.js';
import { decodeGreyLossless, JpegLosslessError } from '../../src/imaging/dicom/codecs/jpeg-lossless-grey.js';
import { COLUMNS, ROWS, fixtures, modified } from './fixtures.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test('every transfer syntax from dcmtk and openjpeg reads to the producers\' own decoding', async () => {
  const { encodings } = fixtures();
  const seen = new Set<string>();
  for (const f of encodings) {
    const r = await readRadiograph(f.path);
    assert.equal(r.transferSyntax, f.transferSyntax, f.name);
    assert.equal(r.rows, ROWS, f.name);
    assert.equal(r.columns, COLUMNS, f.name);
    assert.equal(r.bitsStored, f.bitsStored, f.name);
    const diff = maxAbsDiff(r.pixels, f.stored);
    assert.ok(diff <= f.tolerance, `${f.name}: max difference ${diff} from the producer's decoding (allowed ${f.tolerance})`);
    seen.add(r.transferSyntax);
  }
  // implicit, explicit, deflated, big endian, RLE, JPEG baseline, extended, process 14, SV1, JPEG-LS (2), J2K (2)
  for (const uid of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.5',
    '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70',
    '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']) {
    assert.ok(seen.has(uid), `no fixture exercised ${uid}`);
  }
});

test('lossless syntaxes give back exactly what the writer stored', async () => {
  const { encodings, pixels12, pixels16 } = fixtures();
  for (const f of encodings.filter((e) => e.tolerance === 0 && !/near|lossy|baseline|img2dcm|pt2/.test(e.name))) {
    const r = await readRadiograph(f.path);
    const original = f.bitsStored === 12 ? pixels12 : pixels16;
    assert.equal(maxAbsDiff(r.pixels, original), 0, f.name);
  }
});

test('MONOCHROME1 is turned once so bone is bright, also beside a Presentation LUT Shape of INVERSE', async () => {
  const { base12, pixels12 } = fixtures();
  const mono1 = modified(base12, 'mono1', ['-m', '(0028,0004)=MONOCHROME1', '-m', '(2050,0020)=INVERSE', '-m', '(0028,1050)=1000', '-m', '(0028,1051)=800']);
  const r = await readRadiograph(mono1);
  assert.equal(r.photometric, 'MONOCHROME1');
  assert.equal(r.inversion, 4095);
  for (let i = 0; i < pixels12.length; i++) assert.equal(r.pixels[i], 4095 - pixels12[i]);
  assert.deepEqual(r.window, { center: 4095 - 1000, width: 800, fromFile: true });
  const mono2 = await readRadiograph(base12);
  assert.equal(mono2.inversion, null);
  assert.equal(mono2.pixels[5], pixels12[5]);
});

test('Rescale Slope/Intercept and signed pixels become modality values', async () => {
  const { base12, pixels12 } = fixtures();
  const rescaled = modified(base12, 'rescaled', ['-m', '(0028,1053)=0.5', '-m', '(0028,1052)=-1024']);
  const r = await readRadiograph(rescaled);
  for (let i = 0; i < pixels12.length; i += 7) assert.equal(r.pixels[i], 0.5 * pixels12[i] - 1024);

  const signed = modified(base12, 'signed', ['-m', '(0028,0103)=1']);
  const s = await readRadiograph(signed);
  for (let i = 0; i < pixels12.length; i++) {
    const v = pixels12[i];
    assert.equal(s.pixels[i], v >= 2048 ? v - 4096 : v);
  }
  // signed MONOCHROME1 with rescale: inversion = slope * (min + max stored) + 2 * intercept
  const both = modified(base12, 'signed-mono1', ['-m', '(0028,0103)=1', '-m', '(0028,0004)=MONOCHROME1', '-m', '(0028,1053)=2', '-m', '(0028,1052)=10']);
  const b = await readRadiograph(both);
  assert.equal(b.inversion, 2 * (-2048 + 2047) + 20);
  const v = pixels12[3] >= 2048 ? pixels12[3] - 4096 : pixels12[3];
  assert.equal(b.pixels[3], b.inversion! - (2 * v + 10));
});

test('pixel spacing: Pixel Spacing, Imager Pixel Spacing, ERMF correction, none', async () => {
  const { base12 } = fixtures();
  const writerDefault = await readRadiograph(base12);
  assert.deepEqual(writerDefault.pixelSpacing, [0.15, 0.15]);
  assert.equal(writerDefault.spacingSource, 'PixelSpacing');

  const imagerOnly = modified(base12, 'imager-only', ['-e', '(0028,0030)', '-m', '(0018,1164)=0.2\\0.25']);
  let r = await readRadiograph(imagerOnly);
  assert.deepEqual(r.pixelSpacing, [0.2, 0.25]);
  assert.equal(r.spacingSource, 'ImagerPixelSpacing');

  const ermf = modified(base12, 'ermf', ['-e', '(0028,0030)', '-m', '(0018,1164)=0.2\\0.25', '-i', '(0018,1114)=1.25']);
  r = await readRadiograph(ermf);
  assert.ok(Math.abs(r.pixelSpacing![0] - 0.16) < 1e-12 && Math.abs(r.pixelSpacing![1] - 0.2) < 1e-12);
  assert.equal(r.spacingSource, 'ImagerPixelSpacing/ERMF');

  // Pixel Spacing that only repeats Imager Pixel Spacing is detector spacing: ERMF still applies.
  const repeated = modified(base12, 'repeated', ['-m', '(0018,1164)=0.15\\0.15', '-i', '(0018,1114)=1.5']);
  r = await readRadiograph(repeated);
  assert.equal(r.spacingSource, 'ImagerPixelSpacing/ERMF');
  assert.ok(Math.abs(r.pixelSpacing![0] - 0.1) < 1e-12);

  // A calibrated Pixel Spacing (different from the detector's) wins.
  const calibrated = modified(base12, 'calibrated', ['-m', '(0028,0030)=0.12\\0.12', '-i', '(0018,1114)=1.5']);
  r = await readRadiograph(calibrated);
  assert.deepEqual(r.pixelSpacing, [0.12, 0.12]);
  assert.equal(r.spacingSource, 'PixelSpacing');

  const none = modified(base12, 'no-spacing', ['-e', '(0028,0030)', '-e', '(0018,1164)']);
  r = await readRadiograph(none);
  assert.equal(r.pixelSpacing, null);
  assert.equal(r.spacingSource, null);
});

test('view and position tags and the window come through; identifying tags only on request', async () => {
  const { base12 } = fixtures();
  const r = await readRadiograph(base12);
  assert.equal(r.viewPosition, 'LL');
  assert.deepEqual(r.patientOrientation, ['P', 'F']);
  assert.equal(r.modality, 'DX');
  assert.equal(r.bodyPart, 'LSPINE');
  assert.equal(r.window.fromFile, true);
  assert.equal(r.phi, undefined);
  assert.ok(!JSON.stringify({ ...r, pixels: [] }).includes('FIXTURE-12'), 'patient ID leaked without --phi');
  const withPhi = await readRadiograph(base12, { phi: true });
  assert.equal(withPhi.phi?.PatientID, 'FIXTURE-12');
});

async function failure(path: string): Promise<RadiographReadError> {
  try {
    await readRadiograph(path);
  } catch (error) {
    assert.ok(error instanceof RadiographReadError, `expected a RadiographReadError, got ${String(error)}`);
    assert.ok(error.message.startsWith(path), `message should name the file: ${error.message}`);
    return error;
  }
  assert.fail(`${path} read without error`);
}

test('clear errors: not DICOM, truncated, unsupported syntax, no pixel data, colour, multi-frame', async () => {
  const { base12, base16, dir, encodings } = fixtures();
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');

  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'this is not an image\n'.repeat(20));
  assert.equal((await failure(text)).kind, 'not-dicom');

  const whole = readFileSync(base16);
  const truncated = join(dir, 'truncated.dcm');
  writeFileSync(truncated, whole.subarray(0, whole.length - 5000));
  const t = await failure(truncated);
  assert.equal(t.kind, 'truncated');

  const sv1 = encodings.find((e) => e.name === 'jpeg-sv1-16')!;
  const truncatedJpeg = join(dir, 'truncated-jpeg.dcm');
  writeFileSync(truncatedJpeg, readFileSync(sv1.path).subarray(0, 2000));
  assert.equal((await failure(truncatedJpeg)).kind, 'truncated');

  // Unsupported transfer syntax: a JPEG XL UID on the writer's file (dcmodify cannot edit the meta header).
  const { writeDicom } = await import('../../src/imaging/index.js');
  const jxl = join(dir, 'jpeg-xl.dcm');
  writeDicom(jxl, { pixels: new Uint16Array(4), rows: 2, columns: 2, bitsStored: 12, pixelSpacing: [1, 1], encapsulated: { transferSyntax: '1.2.840.10008.1.2.4.110', frame: Uint8Array.of(0xff, 0x0a) } });
  const u = await failure(jxl);
  assert.equal(u.kind, 'unsupported-transfer-syntax');
  assert.match(u.message, /1\.2\.840\.10008\.1\.2\.4\.110 \(JPEG XL Lossless\)/);

  const noPixels = modified(base12, 'no-pixels', ['-e', '(7fe0,0010)']);
  assert.equal((await failure(noPixels)).kind, 'no-pixel-data');

  const multi = modified(base12, 'multi-frame', ['-i', '(0028,0008)=2']);
  const m = await failure(multi);
  assert.equal(m.kind, 'multi-frame');
  assert.match(m.message, /2 frames/);

  // A colour JPEG wrapped by img2dcm (YBR_FULL_422, 3 samples).
  const colourJpeg = join(dir, 'colour.jpg');
  await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 40, b: 10 } } }).jpeg().toFile(colourJpeg);
  const colourDicom = join(dir, 'colour.dcm');
  const { tool } = await import('./dcmtk.js');
  tool('img2dcm', ['-i', 'JPEG', colourJpeg, colourDicom]);
  const c = await failure(colourDicom);
  assert.equal(c.kind, 'colour');
  assert.match(c.message, /colour image \(YBR_FULL_422, 3 samples per pixel\)/);
});

// The 12-bit DCT decoder written for this project, checked on its own (it also decodes 8-bit).
function codestream(path: string): Uint8Array {
  const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(path)));
  const pe = ds.elements.x7fe00010;
  return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pe, 0, pe.fragments!.length);
}

test('the sequential-DCT decoder agrees with dcmtk (IJG) within one grey level, 8- and 12-bit', () => {
  for (const name of ['jpeg-extended-12', 'jpeg-baseline-8', 'img2dcm-jpeg-8']) {
    const f = fixtures().encodings.find((e) => e.name === name)!;
    const decoded = decodeGreyJpeg(codestream(f.path));
    assert.equal(decoded.width, f.columns);
    assert.equal(decoded.height, f.rows);
    let worst = 0;
    for (let i = 0; i < f.stored.length; i++) worst = Math.max(worst, Math.abs(decoded.pixels[i] - f.stored[i]));
    assert.ok(worst <= 1, `${name}: differs from dcmtk by ${worst}`);
  }
});

test('the lossless JPEG decoder refuses a stream cut short', () => {
  const f = fixtures().encodings.find((e) => e.name === 'jpeg-sv1-16')!;
  const stream = codestream(f.path);
  assert.equal(decodeGreyLossless(stream).pixels.length, ROWS * COLUMNS);
  assert.throws(() => decodeGreyLossless(stream.slice(0, stream.length >> 1)), (e: unknown) => e instanceof JpegLosslessError && /ends before the last sample/.test((e as Error).message));
  assert.throws(() => decodeGreyLossless(codestream(fixtures().encodings.find((e) => e.name === 'jpeg-extended-12')!.path)), /not the Huffman lossless process/);
});

test('colour, progressive and damaged streams are refused with a reason', async () => {
  const colour = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 250, g: 10, b: 10 } } }).jpeg().toBuffer();
  assert.throws(() => decodeGreyJpeg(colour), (e: unknown) => e instanceof JpegDecodeError && /3 colour components/.test((e as Error).message));
  const grey = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').jpeg({ progressive: true }).toBuffer();
  assert.throws(() => decodeGreyJpeg(grey), /not a sequential Huffman DCT/);
  assert.throws(() => decodeGreyJpeg(Uint8Array.of(1, 2, 3, 4)), /start-of-image/);
  const f = fixtures().encodings.find((e) => e.name === 'jpeg-extended-12')!;
  const cut = codestream(f.path).slice(0, 300);
  assert.throws(() => decodeGreyJpeg(cut), JpegDecodeError);
});
