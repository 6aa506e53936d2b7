/**
 * Fenwick (binary indexed) trees of weights over integer ranks 0..size-1: add a weight at a rank and
 * ask for the total weight below a rank in O(log size). They play the role of the balanced binary
 * tree in survival::concordance.
 *
 * A LaneTree holds several such trees ("lanes") interleaved in one array: the concordance sweeps
 * query and update them at the same ranks shortly after each other, so interleaving turns the other
 * lanes' cache misses into hits (it matters at 10^6 distinct scores), and addLanes/belowLanes walk
 * the tree once for every lane.
 */
export class LaneTree {
  private readonly tree: Float64Array;
  private readonly node: Float64Array;
  /** Total weight in each lane. */
  readonly total: Float64Array;

  constructor(
    readonly size: number,
    readonly lanes: number,
  ) {
    this.tree = new Float64Array(lanes * (size + 1));
    this.node = new Float64Array(lanes * size);
    this.total = new Float64Array(lanes);
  }

  /** Adds weight at rank in one lane. */
  add(lane: number, rank: number, weight: number): void {
    const lanes = this.lanes;
    this.node[lanes * rank + lane] += weight;
    this.total[lane] += weight;
    const tree = this.tree;
    for (let i = rank + 1; i <= this.size; i += i & -i) tree[lanes * i + lane] += weight;
  }

  /** Total weight at ranks < rank in one lane. */
  below(lane: number, rank: number): number {
    const lanes = this.lanes;
    const tree = this.tree;
    let s = 0;
    for (let i = rank; i > 0; i -= i & -i) s += tree[lanes * i + lane];
    return s;
  }

  /** Weight at exactly rank in one lane. */
  at(lane: number, rank: number): number {
    return this.node[this.lanes * rank + lane];
  }

  /** Adds weights[l] at rank in every lane l, in one walk up the tree. */
  addLanes(rank: number, weights: Float64Array): void {
    const lanes = this.lanes;
    const node = this.node;
    const total = this.total;
    for (let l = 0; l < lanes; l++) {
      node[lanes * rank + l] += weights[l];
      total[l] += weights[l];
    }
    const tree = this.tree;
    for (let i = rank + 1; i <= this.size; i += i & -i) {
      for (let l = 0; l < lanes; l++) tree[lanes * i + l] += weights[l];
    }
  }

  /** out[l] = total weight of lane l at ranks < rank, for every lane, in one walk down the tree. */
  belowLanes(rank: number, out: Float64Array): void {
    const lanes = this.lanes;
    const tree = this.tree;
    out.fill(0);
    for (let i = rank; i > 0; i -= i & -i) {
      for (let l = 0; l < lanes; l++) out[l] += tree[lanes * i + l];
    }
  }

  /** out[r] = total weight of one lane at ranks < r, for r = 0..size (a static snapshot). */
  prefixSums(lane: number): Float64Array {
    const out = new Float64Array(this.size + 1);
    for (let r = 0; r < this.size; r++) out[r + 1] = out[r] + this.node[this.lanes * r + lane];
    return out;
  }
}
