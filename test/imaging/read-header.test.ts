/**
 * The header-only reader agrees with the full reader: on every encoding dcmtk and openjpeg write it
 * finds the same size, spacing and tags; when its first read stops inside the header it reads the
 * whole file and still agrees; and it refuses a truncated or non-DICOM file with the same kind of
 * failure as the full reader, without decoding a pixel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRadiograph, readRadiographHeader, RadiographReadError, writeDicom } from '../../src/imaging/index.js';
import { readDicomHeader } from '../../src/imaging/dicom/read-header.js';
import { fixtures } from './fixtures.js';

const FIELDS = ['rows', 'columns', 'bitsStored', 'photometric', 'transferSyntax', 'pixelSpacing', 'spacingSource', 'viewPosition', 'patientOrientation', 'laterality', 'bodyPart', 'modality'] as const;

function pick(r: object): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((f) => [f, (r as Record<string, unknown>)[f]]));
}

async function failureKind(read: Promise<unknown>): Promise<string> {
  try {
    await read;
  } catch (error) {
    assert.ok(error instanceof RadiographReadError, String(error));
    return error.kind;
  }
  return 'read';
}

test('on every encoding the header reader finds what the full reader finds', async () => {
  for (const f of fixtures().encodings) {
    const header = await readRadiographHeader(f.path);
    assert.deepEqual(pick(header), pick(await readRadiograph(f.path)), f.name);
    assert.equal(header.pixelsDecoded, false, f.name);
  }
});

test('a first read that stops inside the header falls back to the whole file', async () => {
  for (const name of ['explicit-12', 'deflated-16', 'big-endian-16', 'jpeg-ls-12']) {
    const path = fixtures().encodings.find((e) => e.name === name)!.path;
    const bytes = readFileSync(path);
    const header = readDicomHeader(path, bytes.subarray(0, 300), bytes.length, () => bytes);
    assert.deepEqual(pick(header), pick(await readRadiograph(path)), name);
  }
});

test('a radiograph larger than the first read: read from its start; cut short or not DICOM, refused as the full reader refuses it', async () => {
  const dir = fixtures().dir;
  const rows = 512;
  const columns = 400;
  const pixels = new Uint16Array(rows * columns).map((_, i) => (i * 7) % 4096);
  const whole = join(dir, 'large.dcm');
  writeDicom(whole, { pixels, rows, columns, bitsStored: 12, pixelSpacing: [0.2, 0.2], viewPosition: 'LL' });
  assert.ok(readFileSync(whole).length > 4 * 64 * 1024, 'larger than the first read');
  assert.deepEqual(pick(await readRadiographHeader(whole)), pick(await readRadiograph(whole)));

  const cut = join(dir, 'large-cut.dcm');
  writeFileSync(cut, readFileSync(whole).subarray(0, 300_000));
  const garbage = join(dir, 'not-dicom.dcm');
  writeFileSync(garbage, Buffer.alloc(200_000, 0x41));
  const empty = join(dir, 'empty.dcm');
  writeFileSync(empty, '');
  for (const [path, kind] of [[cut, 'truncated'], [garbage, 'not-dicom'], [empty, 'not-dicom'], [join(dir, 'absent.dcm'), 'unreadable']] as const) {
    assert.equal(await failureKind(readRadiographHeader(path)), kind, path);
    assert.equal(await failureKind(readRadiograph(path)), kind, `${path}: the full reader agrees`);
  }
});
