/**
 * The decoding tables of a canonical JPEG Huffman code (ITU-T T.81 F.2.2.3), built from a DHT
 * table's code counts per length and its symbol values. Both greyscale JPEG decoders (sequential DCT
 * and lossless) read their symbols through these tables; the lossless one adds a lookup on top.
 */
export interface HuffmanCodes {
  /** Indexed by code length 1..16: the largest code of that length, -1 when there is none; [17] is a sentinel. */
  maxCode: Int32Array;
  /** Index into `values` of the first code of each length. */
  valPtr: Int32Array;
  /** The smallest code of each length. */
  minCode: Int32Array;
  values: Uint8Array;
}

/**
 * `counts[len - 1]` codes of each length; `values` holds one symbol per code, as the DHT segment
 * parsers guarantee by slicing exactly sum(counts) bytes (a shorter list is a caller's bug).
 */
export function huffmanCodes(counts: Uint8Array, values: Uint8Array): HuffmanCodes {
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    if (n > 0) {
      valPtr[len] = k;
      minCode[len] = code;
      code += n;
      k += n;
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  if (k > values.length) throw new RangeError(`Huffman table lists ${k} codes but ${values.length} values`);
  return { maxCode, valPtr, minCode, values };
}
