/**
 * docs/cli.md stays in step with the program: every option of every command and subcommand, as its
 * --help prints it, appears in that command's section, and the whole file is what the generator makes
 * from today's --help (after adding or changing an option: `npm run docs:cli`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandPaths, referenceDoc, REFERENCE_DOC } from '../../src/cli/reference-doc.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const REGENERATE = 'docs/cli.md is out of step with --help; run `npm run docs:cli`';

test('every option of every command appears in its section of docs/cli.md', () => {
  const doc = readFileSync(REFERENCE_DOC, 'utf8');
  const paths = commandPaths();
  assert.ok(paths.length >= 14, `${paths.length} command paths`);
  for (const path of paths) {
    const title = `### spinesurv ${path.join(' ')}\n`;
    const at = doc.indexOf(title);
    assert.ok(at >= 0, `${REGENERATE}: no section for spinesurv ${path.join(' ')}`);
    const end = doc.indexOf('\n### ', at + title.length);
    const section = doc.slice(at, end < 0 ? undefined : end);
    const help = spawnSync(process.execPath, [bin, ...path, '--help'], { encoding: 'utf8' }).stdout;
    const options = [...help.matchAll(/^ {2}(?:-h, )?(--[a-z0-9-]+)/gm)].map((m) => m[1]);
    assert.ok(options.includes('--help'), path.join(' '));
    for (const option of options) assert.ok(section.includes(option), `${REGENERATE}: spinesurv ${path.join(' ')} ${option} is not documented`);
  }
});

test('docs/cli.md is exactly what the generator makes from the program', () => {
  assert.equal(readFileSync(REFERENCE_DOC, 'utf8'), referenceDoc(), REGENERATE);
});

test('the README points at docs/cli.md (which exists), not at a CLI.md outside the repository', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  assert.match(readme, /\]\(docs\/cli\.md\)/);
  assert.doesNotMatch(readme, /`CLI\.md` of the design/);
});
