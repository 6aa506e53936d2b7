/**
 * scripts/setup.sh installs what the tests use: every program, R package and Python module that a test
 * runs (found in the tests' sources by external-tools.ts) maps to a Debian package in setup.sh's
 * default `packages` array. A missing one fails here with the test file and the package to add.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupPackages, testNeeds, unmetNeeds } from './external-tools.js';

// dist/test/tooling/ -> the repository root, where the TypeScript sources and scripts/ are.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const setupSh = (): string => readFileSync(join(root, 'scripts', 'setup.sh'), 'utf8');
const needs = () => testNeeds(root, join(root, 'test'), 'tooling');

test('scripts/setup.sh installs every Debian package the tests use', () => {
  assert.ok(existsSync(join(root, 'test')), `the test sources are not at ${join(root, 'test')}`);
  const found = needs();
  // The scan sees what the suite is known to use; an empty scan would pass anything.
  for (const expected of ['program storescu', 'program dciodvfy', 'program Rscript', 'R package pROC', 'Python module torchvision', 'program redis-server', 'program chromium']) {
    assert.ok(found.some((n) => n.what === expected), `the scan found no ${expected}`);
  }
  const unmet = unmetNeeds(found, setupPackages(setupSh()));
  assert.deepEqual(unmet, [], `scripts/setup.sh misses what tests use:\n${unmet.join('\n')}`);
});

test('a package taken out of setup.sh is named with the test that needs it', () => {
  const without = setupSh().replace(/^(packages=\([^)]*)\br-cran-proc\b/m, '$1');
  assert.notEqual(without, setupSh(), 'r-cran-proc is in the packages line');
  const unmet = unmetNeeds(needs(), setupPackages(without));
  assert.deepEqual(unmet, ['test/study/variants.test.ts: uses R package pROC, from Debian package r-cran-proc: add r-cran-proc to `packages` in scripts/setup.sh']);
  const noDcmtk = unmetNeeds(needs(), setupPackages(setupSh().replace(/^(packages=\([^)]*)\bdcmtk\b/m, '$1')));
  assert.ok(noDcmtk.some((l) => /^test\/serve\/dicom-node\.test\.ts: uses program echoscu, from Debian package dcmtk: add dcmtk/.test(l)), noDcmtk.join('\n'));
});

test('a spawned program the table does not know is reported, not ignored', () => {
  const unmet = unmetNeeds([{ what: 'program frobnicate', file: 'test/x.test.ts', provider: undefined }], setupPackages(setupSh()));
  assert.match(unmet[0], /^test\/x\.test\.ts: runs program frobnicate, which test\/tooling\/external-tools\.ts does not know/);
});
