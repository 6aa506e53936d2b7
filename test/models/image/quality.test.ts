// The check every scorer runs before the keypoint detector: header rules (body part, view, modality,
// orientation) then the pixel rules, on hand-made radiographs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Radiograph } from '../../../src/imaging/index.js';
import { nonRadiographModality, refusalReasons, turnedOrientation } from '../../../src/models/image/quality.js';
import { Random } from '../../../src/util/random.js';

/** A portrait image with structure and brightness-dependent noise: passes the pixel rules. */
function radiograph(header: Partial<Radiograph> = {}): Radiograph {
  const rows = 128, columns = 100;
  const rng = new Random(5);
  const pixels = Float32Array.from({ length: rows * columns }, (_, i) => {
    const c = i % columns;
    const v = 0.3 + 0.35 * Number(c > 45 && c < 65) + 0.1 * Math.floor(i / columns) / rows;
    return Math.round(4095 * (v + 0.012 * (0.4 + v) * rng.normal()));
  });
  return {
    pixels, rows, columns, bitsStored: 12, photometric: 'MONOCHROME2', inversion: null, transferSyntax: '1.2.840.10008.1.2.1',
    pixelSpacing: [0.3, 0.3], spacingSource: 'PixelSpacing', viewPosition: 'LL', patientOrientation: ['P', 'F'], laterality: null,
    bodyPart: 'LSPINE', modality: 'DX', window: { center: 2048, width: 4096, fromFile: false }, warnings: [], ...header,
  };
}

test('a lateral lumbar DX radiograph passes; so does one with no tags at all (a PNG)', () => {
  assert.deepEqual(refusalReasons(radiograph()), []);
  assert.deepEqual(refusalReasons(radiograph({ modality: null, bodyPart: null, viewPosition: null, patientOrientation: null })), []);
});

test('modality: projection radiography passes, cross-sectional and other kinds are refused by name', () => {
  for (const m of ['CR', 'DX', 'dx', 'RF', 'OT', 'SC', '', null]) assert.equal(nonRadiographModality(m), null, String(m));
  assert.equal(nonRadiographModality('CT'), 'Modality is "CT", not a projection radiograph (CR, DX, DR, RG, RF, OT, SC)');
  for (const m of ['MR', 'PT', 'NM', 'US', 'MG']) assert.match(nonRadiographModality(m)!, new RegExp(`^Modality is "${m}"`));
});

test('Patient Orientation: the head-foot axis across the image, or the head at the bottom, is refused', () => {
  assert.equal(turnedOrientation(['P', 'F']), null);
  assert.equal(turnedOrientation(['A', 'FR']), null);
  assert.equal(turnedOrientation(['F', 'A']), 'Patient Orientation is F\\A: the head-foot axis runs across the image (turned 90°)');
  assert.equal(turnedOrientation(['P', 'H']), 'Patient Orientation is P\\H: the head is at the bottom (upside down)');
  // Absent, incomplete or not made of direction letters: no claim, no refusal.
  for (const o of [null, ['P'], ['P', 'F', 'X'], ['?', 'F']]) assert.equal(turnedOrientation(o), null, JSON.stringify(o));
});

test('every reason is given, the tags first, then the pixels', () => {
  const blankCt = radiograph({ modality: 'CT', bodyPart: 'CHEST', pixels: new Float32Array(128 * 100).fill(7) });
  assert.deepEqual(refusalReasons(blankCt), [
    'Body Part Examined is "CHEST", not the lumbar spine',
    'Modality is "CT", not a projection radiograph (CR, DX, DR, RG, RF, OT, SC)',
    'blank: every pixel has the value 7',
  ]);
  assert.deepEqual(refusalReasons(radiograph({ patientOrientation: ['H', 'P'] })), ['Patient Orientation is H\\P: the head-foot axis runs across the image (turned 90°)']);
});

test('the answer is kept per image object (serve checks, then scoreRadiograph checks again)', () => {
  const image = radiograph();
  const first = refusalReasons(image);
  assert.equal(refusalReasons(image), first);
});
