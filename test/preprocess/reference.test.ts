import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultParams, preprocessRadiographs, transformMatrices, type VariantName } from '../../src/preprocess/index.js';
import { Random } from '../../src/util/random.js';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../../../test/preprocess/fixtures/reference_preprocess.py', import.meta.url));

// A 420 x 520 image of smooth structure plus noise, and a tilted, bent spine well inside it.
const COLUMNS = 420;
const ROWS = 520;
const KP = [160, 120, 178, 178, 201, 238, 229, 294, 262, 348];

function testImage(): Float32Array {
  const rng = new Random(11);
  const img = new Float32Array(ROWS * COLUMNS);
  for (let y = 0; y < ROWS; y++) {
    for (let x = 0; x < COLUMNS; x++) {
      img[y * COLUMNS + x] = 1000 + 300 * Math.sin(x / 17) * Math.cos(y / 23) + 0.5 * x + 200 * rng.uniform();
    }
  }
  return img;
}

function compareWithReference(variant: VariantName, side: number, margin: number, percentiles?: [number, number]): void {
  const dir = mkdtempSync(join(tmpdir(), 'preprocess-ref-'));
  try {
    const pixels = testImage();
    writeFileSync(join(dir, 'image.f32'), new Uint8Array(pixels.buffer));
    const r = spawnSync(python, [script, join(dir, 'image.f32'), String(ROWS), String(COLUMNS), variant, String(side), String(margin), KP.join(','), join(dir, 'out.u8'), join(dir, 'maps.json'), ...(percentiles ? [percentiles.join(',')] : [])], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = readFileSync(join(dir, 'out.u8'));
    const maps = JSON.parse(readFileSync(join(dir, 'maps.json'), 'utf8')) as number[][][];
    const normalise = percentiles ? { normalise: 'percentile' as const, percentiles } : {};
    const params = variant === 'patches' ? defaultParams(variant, { patchSize: side, margin, ...normalise }) : defaultParams(variant, { size: side, margin, ...normalise });
    const { tensor, transforms } = preprocessRadiographs([{ pixels, rows: ROWS, columns: COLUMNS }], [KP], params);
    transformMatrices(transforms[0]).forEach((m, c) => {
      m.flat().forEach((v, i) => assert.ok(Math.abs(v - maps[c].flat()[i]) < 1e-9, `map ${c}: ${m.flat()} vs ${maps[c].flat()}`));
    });
    assert.equal(tensor.length, expected.length);
    let worst = 0;
    let differing = 0;
    for (let i = 0; i < tensor.length; i++) {
      const d = Math.abs(Math.round(tensor[i] * 255) - expected[i]);
      worst = Math.max(worst, d);
      if (d > 0) differing++;
    }
    // float32 sampling against float64: a value on a rounding boundary may land one step away.
    assert.ok(worst <= 1, `largest difference ${worst} / 255`);
    assert.ok(differing < tensor.length * 0.01, `${differing} of ${tensor.length} values differ`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('full L1-L5 (down-sampled, 2x2 sub-samples) matches an independent numpy implementation of the documented layout', () => {
  compareWithReference('full-l1l5', 200, 0.25);
});

test('full L1-L4 matches the numpy reference', () => {
  compareWithReference('full-l1l4', 160, 0.2);
});

test('patches (up-sampled, one sample per pixel) match the numpy reference', () => {
  compareWithReference('patches', 96, 0.1);
});

test('percentile normalisation (2nd to 98th, clipped) matches numpy.percentile in the reference', () => {
  compareWithReference('full-l1l5', 120, 0.25, [2, 98]);
});
