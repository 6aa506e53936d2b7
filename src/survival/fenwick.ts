/**
 * Fenwick (binary indexed) trees of weights over integer ranks 0..size-1: add a weight at a rank and
 * ask for the total weight below or at a rank in O(log size). They play the role of the balanced
 * binary tree in survival::concordance.
 *
 * TreePair holds two such trees (all subjects, and deaths) interleaved in one array: the concordance
 * sweep queries and updates both at the same ranks shortly after each other, so interleaving turns
 * the second tree's cache misses into hits (it matters at 10^6 distinct scores).
 */
export class TreePair {
  private readonly tree: Float64Array;
  private readonly node: Float64Array;
  /** Total weight in tree 0 and tree 1. */
  readonly total = new Float64Array(2);

  constructor(readonly size: number) {
    this.tree = new Float64Array(2 * (size + 1));
    this.node = new Float64Array(2 * size);
  }

  /** Adds weight at rank in tree t (0 or 1). */
  add(t: number, rank: number, weight: number): void {
    this.node[2 * rank + t] += weight;
    this.total[t] += weight;
    const tree = this.tree;
    for (let i = rank + 1; i <= this.size; i += i & -i) tree[2 * i + t] += weight;
  }

  /** Total weight at ranks < rank in tree t. */
  below(t: number, rank: number): number {
    let s = 0;
    const tree = this.tree;
    for (let i = rank; i > 0; i -= i & -i) s += tree[2 * i + t];
    return s;
  }

  /** Weight at exactly rank in tree t. */
  at(t: number, rank: number): number {
    return this.node[2 * rank + t];
  }

  /** out[r] = total weight of tree t at ranks < r, for r = 0..size (a static snapshot). */
  prefixSums(t: number): Float64Array {
    const out = new Float64Array(this.size + 1);
    for (let r = 0; r < this.size; r++) out[r + 1] = out[r] + this.node[2 * r + t];
    return out;
  }
}
