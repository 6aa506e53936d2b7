/**
 * The one heatmap overlay (src/imaging/heatmap-overlay.ts), checked against values worked by hand and
 * decoded by sharp (libvips' PNG reader, not our encoder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { HEAT_ALPHA, heatmapOverlayPng, rampColour, resampleHeatmap } from '../../src/imaging/index.js';

test('the ramp: its stops, and halfway between cyan and yellow by hand', () => {
  assert.deepEqual(rampColour(0), [20, 30, 140]);
  assert.deepEqual(rampColour(1), [215, 25, 28]);
  assert.deepEqual(rampColour(2), [215, 25, 28], 'clamped');
  assert.deepEqual(rampColour(Number.NaN), [20, 30, 140], 'NaN is cold');
  // v = 0.5 is halfway from stop 1 (0, 190, 220) to stop 2 (250, 230, 40).
  assert.deepEqual(rampColour(0.5), [125, 210, 130]);
});

test('the overlay: cold leaves the grey untouched, hot is (1 - a) grey + a red; sharp decodes it as RGB', async () => {
  const grey = new Uint8Array(4 * 2).fill(100);
  const heat = [0, 0, 0, 0, 1, 1, 1, 1];
  const png = heatmapOverlayPng(grey, 4, 2, heat);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [4, 2, 3]);
  assert.deepEqual([...data.subarray(0, 3)], [100, 100, 100]);
  const a = HEAT_ALPHA;
  assert.deepEqual([...data.subarray(12, 15)], [215, 25, 28].map((c) => Math.round((1 - a) * 100 + a * c)));
  assert.deepEqual([...heatmapOverlayPng(grey, 4, 2, heat, 0.6).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.throws(() => heatmapOverlayPng(grey, 4, 2, [1, 2]), /2 heat values for 8 pixels/);
});

test('resampling puts pixel centres on pixel centres: a 2x1 map onto 4x1 by hand', () => {
  // Output centres 0.5, 1.5, 2.5, 3.5 map to input coordinates -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
  assert.deepEqual([...resampleHeatmap([0, 1], 2, 1, 4, 1)], [0, 0.25, 0.75, 1]);
});
