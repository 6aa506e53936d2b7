/**
 * Fast, stable orderings for large survival data (10^6 rows). Doubles are argsorted with an LSD radix
 * sort on their IEEE-754 bits (11-bit digits, passes where every row has the same digit skipped, so
 * integer-valued times take few passes), then mapped to dense integer ranks; multi-key orders are
 * built by stable counting sorts, least significant key first. No comparator callbacks: O(n) passes
 * with small constants.
 */

export interface DenseRanks {
  /** rank[i] in 0..unique.length-1; equal values share a rank. */
  rank: Int32Array;
  /** Sorted distinct values. */
  unique: Float64Array;
  /** A stable ascending order of the rows (the argsort the ranks came from). */
  order: Int32Array;
  /** rankInOrder[k] = rank[order[k]]: the ranks read in sorted order (ascending, ties side by side). */
  rankInOrder: Int32Array;
}

const RADIX = 1 << 11;
const SMALL = 512;

/** Stable ascending argsort of finite doubles (-0 and 0 compare equal). */
export function argsortNumbers(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  if (n <= SMALL) {
    // Small inputs (bootstrap resamples of a test set): a comparison sort beats six radix passes.
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => (values[a] === values[b] ? a - b : values[a] < values[b] ? -1 : 1));
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = values[i] === 0 ? 0 : values[i];
  const words = new Uint32Array(data.buffer);
  // Map each double to an unsigned 64-bit key with the same order: flip all bits of negatives,
  // only the sign bit of positives. Little-endian: word 2i is low, 2i+1 is high.
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1];
    const l = words[2 * i];
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  // All six digit histograms in one read of the keys. 11-bit digits: bits 0-10, 11-21, 22-31 of the
  // low word, then the same of the high word.
  const counts = new Int32Array(6 * (RADIX + 1));
  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const h = hi[i];
    counts[(l & 0x7ff) + 1]++;
    counts[RADIX + 1 + ((l >>> 11) & 0x7ff) + 1]++;
    counts[2 * (RADIX + 1) + (l >>> 22) + 1]++;
    counts[3 * (RADIX + 1) + (h & 0x7ff) + 1]++;
    counts[4 * (RADIX + 1) + ((h >>> 11) & 0x7ff) + 1]++;
    counts[5 * (RADIX + 1) + (h >>> 22) + 1]++;
  }
  // A pass where every row has the same digit orders nothing and is skipped (integer-valued times).
  const passes: number[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * (RADIX + 1);
    let uniform = false;
    for (let d = 1; d <= RADIX; d++) {
      if (counts[base + d] === n) uniform = true;
      if (counts[base + d] !== 0) break;
    }
    if (!uniform) passes.push(pass);
  }
  // The keys travel with the row indices, so every pass reads sequentially and only writes scatter;
  // a key word is carried only while a later pass still reads it.
  let order: Int32Array = identityOrder(n);
  let scratch: Int32Array = new Int32Array(n);
  let keyLo = lo;
  let keyHi = hi;
  let nextLo = new Uint32Array(n);
  let nextHi = new Uint32Array(n);
  for (let p = 0; p < passes.length; p++) {
    const pass = passes[p];
    const later = passes.slice(p + 1);
    const carryLo = later.some((q) => q < 3);
    const carryHi = later.length > 0;
    const shift = [0, 11, 22][pass % 3];
    const mask = shift === 22 ? 0x3ff : 0x7ff;
    const word = pass >= 3 ? keyHi : keyLo;
    const count = counts.subarray(pass * (RADIX + 1), (pass + 1) * (RADIX + 1));
    for (let d = 0; d < RADIX; d++) count[d + 1] += count[d];
    if (carryLo) {
      for (let k = 0; k < n; k++) {
        const dest = count[(word[k] >>> shift) & mask]++;
        scratch[dest] = order[k];
        nextLo[dest] = keyLo[k];
        nextHi[dest] = keyHi[k];
      }
      [keyLo, nextLo] = [nextLo, keyLo];
      [keyHi, nextHi] = [nextHi, keyHi];
    } else if (carryHi) {
      for (let k = 0; k < n; k++) {
        const dest = count[(word[k] >>> shift) & mask]++;
        scratch[dest] = order[k];
        nextHi[dest] = keyHi[k];
      }
      [keyHi, nextHi] = [nextHi, keyHi];
    } else {
      for (let k = 0; k < n; k++) scratch[count[(word[k] >>> shift) & mask]++] = order[k];
    }
    [order, scratch] = [scratch, order];
  }
  return order;
}

/** Dense ranks of the values (and the sorted distinct values), from one radix argsort. */
export function denseRanks(values: ArrayLike<number>, order: Int32Array = argsortNumbers(values)): DenseRanks {
  const n = values.length;
  const rank = new Int32Array(n);
  const rankInOrder = new Int32Array(n);
  const unique = new Float64Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const row = order[k];
    const v = values[row];
    if (m === 0 || v !== unique[m - 1]) unique[m++] = v;
    rank[row] = m - 1;
    rankInOrder[k] = m - 1;
  }
  return { rank, unique: unique.slice(0, m), order, rankInOrder };
}

/**
 * Stable counting sort of `order` (a permutation of row indices) by integer keys in 0..size-1.
 * With descending=true larger keys come first.
 */
export function countingSort(order: Int32Array, keys: ArrayLike<number>, size: number, descending = false): Int32Array {
  const count = new Int32Array(size + 1);
  for (let i = 0; i < order.length; i++) count[(descending ? size - 1 - keys[order[i]] : keys[order[i]]) + 1]++;
  for (let k = 0; k < size; k++) count[k + 1] += count[k];
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    const k = descending ? size - 1 - keys[row] : keys[row];
    out[count[k]++] = row;
  }
  return out;
}

export function identityOrder(n: number): Int32Array {
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

export interface SortKey {
  keys: ArrayLike<number>;
  size: number;
  descending?: boolean;
}

/**
 * Row order by several integer keys, the first key most significant (like R's order(a, b, c)).
 * `start` is an order already sorted by the least significant key (it saves that pass).
 */
export function orderByKeys(n: number, keys: SortKey[], start?: Int32Array): Int32Array {
  let order = start ?? identityOrder(n);
  for (let k = keys.length - 1; k >= 0; k--) {
    if (keys[k].size <= 1) continue; // a single value orders nothing
    order = countingSort(order, keys[k].keys, keys[k].size, keys[k].descending);
  }
  return order;
}
