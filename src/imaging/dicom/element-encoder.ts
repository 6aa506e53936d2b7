/**
 * Encodes DICOM data elements in Explicit VR Little Endian (PS3.5 §7.1.2), the one syntax the writer
 * produces: every element carries its VR, values are padded to an even length (UI with NUL, text
 * with a space, binary with a zero byte), and sequences use defined lengths so that the bytes are a
 * pure function of the elements.
 */

/** VRs whose explicit-VR header has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

export type TextVr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UC' | 'UI' | 'UT';

export interface Element {
  group: number;
  element: number;
  vr: string;
  value: Uint8Array;
}

function header(group: number, element: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, element, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) {
    view.setUint32(8, length, true);
  } else {
    if (length > 0xffff) throw new Error(`DICOM writer: value of (${hex(group)},${hex(element)}) ${vr} is too long (${length} bytes)`);
    view.setUint16(6, length, true);
  }
  return out;
}

export function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}


/** Text values (several values joined by a backslash), padded to even length. */
export function text(group: number, element: number, vr: TextVr, value: string | string[]): Element {
  const joined = Array.isArray(value) ? value.join('\\') : value;
  let bytes: Uint8Array = new TextEncoder().encode(joined);
  if (bytes.length % 2 === 1) bytes = concat([bytes, Uint8Array.of(vr === 'UI' ? 0 : 0x20)]);
  return { group, element, vr, value: bytes };
}

export function uint16(group: number, element: number, values: number | number[]): Element {
  const list = Array.isArray(values) ? values : [values];
  const value = new Uint8Array(2 * list.length);
  const view = new DataView(value.buffer);
  list.forEach((v, i) => view.setUint16(2 * i, v, true));
  return { group, element, vr: 'US', value };
}

export function uint32(group: number, element: number, v: number): Element {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, v, true);
  return { group, element, vr: 'UL', value };
}

/** Floating Point Single (FL) values, little endian. */
export function float32(group: number, element: number, values: number | number[]): Element {
  const list = Array.isArray(values) ? values : [values];
  const value = new Uint8Array(4 * list.length);
  const view = new DataView(value.buffer);
  list.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return { group, element, vr: 'FL', value };
}

export function binary(group: number, element: number, vr: 'OB' | 'OW', bytes: Uint8Array): Element {
  const value = bytes.length % 2 === 0 ? bytes : concat([bytes, Uint8Array.of(0)]);
  return { group, element, vr, value };
}

/** A sequence of items, each a list of elements; defined lengths throughout. */
export function sequence(group: number, element: number, items: Element[][]): Element {
  const encodedItems = items.map((item) => {
    const body = encodeDataset(item);
    const itemHeader = new Uint8Array(8);
    const view = new DataView(itemHeader.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, 0xe000, true);
    view.setUint32(4, body.length, true);
    return concat([itemHeader, body]);
  });
  return { group, element, vr: 'SQ', value: concat(encodedItems) };
}

/** Encodes elements in ascending tag order, as the standard requires. */
export function encodeDataset(elements: Element[]): Uint8Array {
  return concat(datasetParts(elements));
}

/**
 * The encoded dataset as pieces to concatenate: each element's header followed by its value, the
 * values not copied. A caller assembling a larger buffer (the whole file) copies a large value such
 * as Pixel Data once instead of once per level of nesting.
 */
export function datasetParts(elements: Element[]): Uint8Array[] {
  const sorted = [...elements].sort((a, b) => a.group - b.group || a.element - b.element);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].group === sorted[i - 1].group && sorted[i].element === sorted[i - 1].element) {
      throw new Error(`DICOM writer: element (${hex(sorted[i].group)},${hex(sorted[i].element)}) given twice`);
    }
  }
  const parts: Uint8Array[] = [];
  for (const e of sorted) {
    if (e.value.length % 2 !== 0) throw new Error(`DICOM writer: odd value length for (${hex(e.group)},${hex(e.element)})`);
    parts.push(header(e.group, e.element, e.vr, e.value.length), e.value);
  }
  return parts;
}
