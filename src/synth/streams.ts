/**
 * Independent, repeatable random streams. Each step of the generator (clinical draws, density,
 * outcomes, each patient's radiograph, the split) gets its own generator derived from the cohort seed,
 * a stream name and an index, so that e.g. changing the image size never changes the outcomes, and
 * patients can be rendered in any order (or in worker threads) with byte-identical results.
 */
import { Random } from '../util/random.js';

export type StreamName = 'clinical' | 'density' | 'deformity' | 'outcome' | 'render' | 'split' | 'texture' | 'measurement' | 'site';

const STREAM_IDS: Record<StreamName, number> = {
  clinical: 1,
  density: 2,
  deformity: 3,
  outcome: 4,
  render: 5,
  split: 6,
  texture: 7,
  measurement: 8,
  site: 9,
};

function mix32(h: number, value: number): number {
  h = Math.imul(h ^ (value >>> 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A generator for (seed, stream, index); index distinguishes patients within a stream. */
export function streamRandom(seed: number, stream: StreamName, index = 0): Random {
  let h = 0x2545f491;
  h = mix32(h, Math.floor(seed) >>> 0);
  h = mix32(h, Math.floor(seed / 4294967296) >>> 0);
  h = mix32(h, STREAM_IDS[stream]);
  h = mix32(h, index);
  return new Random(h);
}
