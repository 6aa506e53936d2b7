/**
 * A Fenwick (binary indexed) tree of weights over integer ranks 0..size-1: add a weight at a rank and
 * ask for the total weight below, at, or above a rank in O(log size). It plays the role of the
 * balanced binary tree in survival::concordance.
 */
export class WeightTree {
  private readonly tree: Float64Array;
  private readonly node: Float64Array;
  total = 0;

  constructor(readonly size: number) {
    this.tree = new Float64Array(size + 1);
    this.node = new Float64Array(size);
  }

  add(rank: number, weight: number): void {
    this.node[rank] += weight;
    this.total += weight;
    for (let i = rank + 1; i <= this.size; i += i & -i) this.tree[i] += weight;
  }

  /** Total weight at ranks < rank. */
  below(rank: number): number {
    let s = 0;
    for (let i = rank; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }

  at(rank: number): number {
    return this.node[rank];
  }

  /** out[r] = total weight at ranks < r, for r = 0..size (a static snapshot). */
  prefixSums(): Float64Array {
    const out = new Float64Array(this.size + 1);
    for (let r = 0; r < this.size; r++) out[r + 1] = out[r] + this.node[r];
    return out;
  }

  clear(): void {
    this.tree.fill(0);
    this.node.fill(0);
    this.total = 0;
  }
}
