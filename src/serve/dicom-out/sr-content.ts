/**
 * Content items of a DICOM Structured Report (PS3.3 C.17.3): each a concept name (a code), a value
 * type and its value, joined to its parent by a relationship. Small builders over the project's
 * element encoder, one per value type the report uses.
 */
import { formatDs } from '../../imaging/dicom/dicom-writer.js';
import { float32, sequence, text, type Element } from '../../imaging/dicom/element-encoder.js';

export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'SELECTED FROM' | 'INFERRED FROM';

/** One content item's elements; the root passes no relationship. */
export type ContentItem = Element[];

/** A Code Sequence item: Code Value, Coding Scheme Designator, Code Meaning. */
export function codeItem(code: Code): Element[] {
  if (code.value.length > 16) throw new RangeError(`SR: code value "${code.value}" is longer than 16 characters`);
  return [text(0x0008, 0x0100, 'SH', code.value), text(0x0008, 0x0102, 'SH', code.scheme), text(0x0008, 0x0104, 'LO', code.meaning)];
}

function head(relationship: Relationship | null, valueType: string, concept: Code): Element[] {
  return [
    ...(relationship === null ? [] : [text(0x0040, 0xa010, 'CS', relationship)]),
    text(0x0040, 0xa040, 'CS', valueType),
    sequence(0x0040, 0xa043, [codeItem(concept)]),
  ];
}

export function container(relationship: Relationship | null, concept: Code, children: ContentItem[]): ContentItem {
  return [
    ...head(relationship, 'CONTAINER', concept),
    text(0x0040, 0xa050, 'CS', 'SEPARATE'),
    sequence(0x0040, 0xa730, children),
  ];
}

export function textItem(relationship: Relationship, concept: Code, value: string): ContentItem {
  return [...head(relationship, 'TEXT', concept), text(0x0040, 0xa160, 'UT', value)];
}

export function codeValueItem(relationship: Relationship, concept: Code, value: Code): ContentItem {
  return [...head(relationship, 'CODE', concept), sequence(0x0040, 0xa168, [codeItem(value)])];
}

export function uidRefItem(relationship: Relationship, concept: Code, uid: string): ContentItem {
  return [...head(relationship, 'UIDREF', concept), text(0x0040, 0xa124, 'UI', uid)];
}

/** A numeric measurement with its UCUM unit (Measured Value Sequence, PS3.3 C.18.1). */
export function numItem(relationship: Relationship, concept: Code, value: number, unit: Code): ContentItem {
  return [
    ...head(relationship, 'NUM', concept),
    sequence(0x0040, 0xa300, [[sequence(0x0040, 0x08ea, [codeItem(unit)]), text(0x0040, 0xa30a, 'DS', formatDs(value))]]),
  ];
}

/** A reference to a composite image (Referenced SOP Sequence). */
export function imageItem(relationship: Relationship, concept: Code, sopClassUid: string, sopInstanceUid: string): ContentItem {
  return [
    ...head(relationship, 'IMAGE', concept),
    sequence(0x0008, 0x1199, [[text(0x0008, 0x1150, 'UI', sopClassUid), text(0x0008, 0x1155, 'UI', sopInstanceUid)]]),
  ];
}

/**
 * A point on an image in its pixel coordinates (column, row; the top-left corner of the image at
 * 0, 0, so a pixel centre at + 0.5: the same convention as COCO keypoints), selected from `image`.
 */
export function pointItem(relationship: Relationship, concept: Code, column: number, row: number, image: ContentItem): ContentItem {
  return [
    ...head(relationship, 'SCOORD', concept),
    float32(0x0070, 0x0022, [column, row]),
    text(0x0070, 0x0023, 'CS', 'POINT'),
    sequence(0x0040, 0xa730, [image]),
  ];
}
