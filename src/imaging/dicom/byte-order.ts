/**
 * Whether this machine stores numbers little-endian, as DICOM's usual transfer syntaxes do: then a
 * Uint16Array and the little-endian bytes of its values are the same memory, and no conversion loop
 * is needed between them.
 */
export const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
