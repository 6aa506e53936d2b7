/**
 * Deflated DICOM files made for the serve tests with the project's element encoder and Node's zlib:
 * a "deflate bomb" (a small image whose dataset carries a private element of many zero bytes, which
 * deflate to about a thousandth of that) and a large honest radiograph. The bulk is deflated as a
 * stream, so this process never holds the inflated bytes.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createDeflateRaw } from 'node:zlib';
import { binary, encodeDataset, text, uint16 } from '../../src/imaging/dicom/element-encoder.js';
import { part10Bytes } from '../../src/serve/part10.js';

const DX = '1.2.840.10008.5.1.4.1.1.1.1';
const DEFLATED = '1.2.840.10008.1.2.1.99';

/** A UID under the 2.25 root from a label (so each file has its own). */
export function testUid(label: string): string {
  return `2.25.${BigInt(`0x${createHash('sha256').update(label).digest('hex').slice(0, 30)}`).toString()}`;
}

function imageElements(label: string, rows: number, columns: number) {
  return {
    head: [
      text(0x0008, 0x0016, 'UI', DX), text(0x0008, 0x0018, 'UI', testUid(`${label}-sop`)), text(0x0008, 0x0060, 'CS', 'DX'),
      text(0x0010, 0x0010, 'PN', 'TEST^DEFLATE'), text(0x0010, 0x0020, 'LO', label), text(0x0018, 0x0015, 'CS', 'LSPINE'),
      text(0x0020, 0x000d, 'UI', testUid(`${label}-study`)), text(0x0020, 0x000e, 'UI', testUid(`${label}-series`)),
      uint16(0x0028, 0x0002, 1), text(0x0028, 0x0004, 'CS', 'MONOCHROME2'), uint16(0x0028, 0x0010, rows), uint16(0x0028, 0x0011, columns),
      uint16(0x0028, 0x0100, 16), uint16(0x0028, 0x0101, 12), uint16(0x0028, 0x0102, 11), uint16(0x0028, 0x0103, 0),
    ],
    sopInstanceUid: testUid(`${label}-sop`),
  };
}

async function deflate(parts: Iterable<Uint8Array>): Promise<Buffer> {
  const d = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    d.on('end', resolve);
    d.on('error', reject);
  });
  for (const p of parts) {
    if (!d.write(p)) await new Promise((r) => d.once('drain', r));
  }
  d.end();
  await ended;
  return Buffer.concat(out);
}

/** A private OB element's header (explicit VR little endian) for `length` bytes that follow. */
function obHeader(group: number, element: number, length: number): Uint8Array {
  const h = Buffer.alloc(12);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.write('OB', 4, 'latin1');
  h.writeUInt32LE(length, 8);
  return h;
}

/**
 * A 64x64 16-bit image whose dataset inflates to `bulkMiB` MiB more than its pixels: zero bytes in a
 * private OB element after the image attributes (as the attack sent). Written as a deflated Part 10 file.
 */
export async function writeDeflateBomb(file: string, bulkMiB: number): Promise<{ deflatedBytes: number; inflatedBytes: number; sopInstanceUid: string }> {
  const { head, sopInstanceUid } = imageElements('bomb', 64, 64);
  const before = encodeDataset([...head, text(0x0029, 0x0010, 'LO', 'SPINESURV TEST')]);
  const pixels = encodeDataset([binary(0x7fe0, 0x0010, 'OW', new Uint8Array(64 * 64 * 2))]);
  const mib = new Uint8Array(1 << 20);
  function* parts(): Generator<Uint8Array> {
    yield before;
    yield obHeader(0x0029, 0x1000, bulkMiB << 20);
    for (let i = 0; i < bulkMiB; i++) yield mib;
    yield pixels;
  }
  const dataset = await deflate(parts());
  writeFileSync(file, part10Bytes({ sopClassUid: DX, sopInstanceUid, transferSyntaxUid: DEFLATED, callingAeTitle: 'TEST' }, dataset));
  return { deflatedBytes: dataset.length, inflatedBytes: before.length + 12 + (bulkMiB << 20) + pixels.length, sopInstanceUid };
}

/** An honest deflated radiograph of rows x columns 12-bit values (a seeded noisy ramp), as a Part 10 file. */
export async function writeLargeDeflated(file: string, rows: number, columns: number): Promise<{ sopInstanceUid: string }> {
  const { head, sopInstanceUid } = imageElements(`large-${rows}x${columns}`, rows, columns);
  const values = new Uint16Array(rows * columns);
  let seed = 12345;
  for (let i = 0; i < values.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    values[i] = (((i % columns) * 3 + (seed >>> 24)) & 0xfff);
  }
  const dataset = await deflate([encodeDataset([...head, binary(0x7fe0, 0x0010, 'OW', new Uint8Array(values.buffer))])]);
  writeFileSync(file, part10Bytes({ sopClassUid: DX, sopInstanceUid, transferSyntaxUid: DEFLATED, callingAeTitle: 'TEST' }, dataset));
  return { sopInstanceUid };
}
