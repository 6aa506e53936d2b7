/**
 * The header readings `cohort import` chooses by: a view is told only when the sources that speak
 * agree, and a body part from the tag first, the descriptions when the tag is empty or generic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readView } from '../../../src/study/cohort-import/view.js';
import { readBodyPart } from '../../../src/study/cohort-import/body-part.js';

const d = (text: string) => [{ name: 'SeriesDescription', text }];

test('view: each source alone, agreement, disagreement, silence', () => {
  assert.equal(readView({ viewPosition: 'LL', patientOrientation: null, descriptions: [] }).view, 'lateral');
  assert.equal(readView({ viewPosition: 'PA', patientOrientation: null, descriptions: [] }).view, 'frontal');
  assert.equal(readView({ viewPosition: 'RAO', patientOrientation: null, descriptions: [] }).view, 'oblique');
  assert.equal(readView({ viewPosition: null, patientOrientation: ['P', 'F'], descriptions: [] }).view, 'lateral');
  assert.equal(readView({ viewPosition: null, patientOrientation: ['L', 'F'], descriptions: [] }).view, 'frontal');
  assert.equal(readView({ viewPosition: null, patientOrientation: ['LP', 'F'], descriptions: [] }).view, 'unknown');
  assert.equal(readView({ viewPosition: null, patientOrientation: null, descriptions: d('L-SPINE LAT') }).view, 'lateral');
  assert.equal(readView({ viewPosition: null, patientOrientation: null, descriptions: d('LWS seitlich') }).view, 'lateral');
  assert.equal(readView({ viewPosition: null, patientOrientation: null, descriptions: d('LUMBAR SPINE AP') }).view, 'frontal');
  // "AP + LAT" names the study's two views, not this image's; "PLATE" and "LATE" are not "LAT".
  assert.equal(readView({ viewPosition: null, patientOrientation: null, descriptions: d('L-SPINE AP + LAT') }).view, 'unknown');
  assert.equal(readView({ viewPosition: null, patientOrientation: null, descriptions: d('LATE PHASE PLATE') }).view, 'unknown');
  const conflict = readView({ viewPosition: 'LL', patientOrientation: ['P', 'F'], descriptions: d('L-SPINE AP') });
  assert.equal(conflict.view, 'unknown');
  assert.equal(conflict.conflict, true);
  assert.match(conflict.evidence, /ViewPosition LL.*SeriesDescription L-SPINE AP/);
  const silent = readView({ viewPosition: '', patientOrientation: null, descriptions: d('Series 1') });
  assert.deepEqual([silent.view, silent.conflict], ['unknown', false]);
});

test('body part: the tag when specific, else the descriptions, else unknown', () => {
  assert.equal(readBodyPart('LSPINE', []).verdict, 'lumbar');
  assert.equal(readBodyPart('L SPINE', []).verdict, 'lumbar');
  assert.equal(readBodyPart('LUMBOSACRAL', []).verdict, 'lumbar');
  assert.deepEqual(readBodyPart('CHEST', d('L-SPINE LAT')), { verdict: 'other', said: 'CHEST' });
  assert.equal(readBodyPart('CSPINE', []).verdict, 'other');
  assert.equal(readBodyPart('SPINE', d('L-SPINE LAT')).verdict, 'lumbar');
  assert.equal(readBodyPart(null, [{ name: 'ProtocolName', text: 'LWS seitlich' }]).verdict, 'lumbar');
  assert.equal(readBodyPart(null, d('SKELETAL SURVEY')).verdict, 'unknown');
  assert.equal(readBodyPart('SPINE', []).verdict, 'unknown');
});
