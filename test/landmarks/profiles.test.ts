// Epochs scaled to the data (profiles.ts epochsForData), worked by hand for the cpu profile
// (batch 16, 14 epochs, at least 882 steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuProfile, epochsForData, paperProfile } from '../../src/landmarks/profiles.js';

test('epochs: the profile\'s on a large cohort, more on a small one, so a run takes at least 882 steps', () => {
  const cpu = cpuProfile();
  assert.equal(epochsForData(cpu, 1020), 14); // 63 steps an epoch: 882 / 63 = 14, the demo as before
  assert.equal(epochsForData(cpu, 2000), 14); // 125 steps an epoch: 8 would do; never fewer than 14
  assert.equal(epochsForData(cpu, 100), 147); // 6 steps an epoch: ceil(882 / 6)
  assert.equal(epochsForData(cpu, 22), 882); // one step an epoch
  assert.equal(epochsForData(cpu, 5), 882); // a batch of 5, one step an epoch
  assert.equal(epochsForData(paperProfile(), 30), 210); // the paper profile keeps its 210
});
