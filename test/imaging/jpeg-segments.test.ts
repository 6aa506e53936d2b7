import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jpegSegments, isStartOfFrame } from '../../src/imaging/dicom/codecs/jpeg-segments.js';
import { decodeGreyJpeg } from '../../src/imaging/dicom/codecs/jpeg-dct-grey.js';

const fail = (m: string) => new Error(m);

test('segments are walked in order, fill bytes skipped, up to EOI', () => {
  // SOI, APP0 (length 4: two body bytes), fill byte, COM (length 2: empty), EOI, then bytes never read
  const data = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xff, 0xfe, 0, 2, 0xff, 0xd9, 0xff, 0xc0, 0, 99);
  assert.deepEqual([...jpegSegments(data, fail)], [
    { marker: 0xe0, body: 6, end: 8 },
    { marker: 0xfe, body: 13, end: 13 },
  ]);
});

test('a segment running past the data, a missing SOI or a stray byte is an error of the caller\'s type', () => {
  assert.throws(() => [...jpegSegments(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 40, 1, 2), fail)], /0xFFE0 at byte 2 runs past the end/);
  assert.throws(() => [...jpegSegments(Uint8Array.of(0, 0, 0, 0), fail)], /start-of-image/);
  assert.throws(() => [...jpegSegments(Uint8Array.of(0xff, 0xd8, 7, 0xe0, 0, 2), fail)], /expected a JPEG marker at byte 2/);
});

test('start-of-frame markers exclude DHT, JPG and DAC, and include JPEG-LS', () => {
  assert.deepEqual([0xc0, 0xc3, 0xc4, 0xc8, 0xcc, 0xcf, 0xf7, 0xda].map(isStartOfFrame), [true, true, false, false, false, true, true, false]);
});

test('a JPEG-LS frame given to the DCT decoder is refused by name', () => {
  const sof55 = Uint8Array.of(0xff, 0xd8, 0xff, 0xf7, 0, 11, 8, 0, 4, 0, 4, 1, 1, 0x11, 0);
  assert.throws(() => decodeGreyJpeg(sof55), /0xFFF7 is not a sequential Huffman DCT/);
});
