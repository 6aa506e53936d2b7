import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

test('spinesurv --help lists every command and exits 0', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const name of ['synth', 'dicom', 'cox', 'km', 'concordance', 'table1', 'deepsurv', 'predict', 'study', 'demo', 'engine']) {
    assert.match(r.stdout, new RegExp(`\\n  ${name} `));
  }
});

test('an unknown command exits 2 with a reason', () => {
  const r = spawnSync(process.execPath, [bin, 'nonsense'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "nonsense"/);
});

test('every listed command loads and answers --help with exit 0', async () => {
  const { COMMANDS } = await import('../../src/cli/main.js');
  for (const { name } of COMMANDS) {
    const r = spawnSync(process.execPath, [bin, name, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage: spinesurv /, name);
  }
});

test('commands made of subcommands: help without one (exit 2), --help (exit 0), unknown ones refused (exit 2)', () => {
  const expected: Record<string, string> = { dicom: 'info, png or scan', engine: 'info or demo', deepsurv: 'fit or search' };
  for (const [name, choices] of Object.entries(expected)) {
    const bare = spawnSync(process.execPath, [bin, name], { encoding: 'utf8' });
    assert.equal(bare.status, 2, name);
    assert.match(bare.stdout, new RegExp(`Usage: spinesurv ${name} `));
    for (const help of ['--help', 'help']) {
      const r = spawnSync(process.execPath, [bin, name, help], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${name} ${help}`);
      assert.match(r.stdout, new RegExp(`Usage: spinesurv ${name} `));
    }
    const bogus = spawnSync(process.execPath, [bin, name, 'bogus'], { encoding: 'utf8' });
    assert.equal(bogus.status, 2, name);
    assert.equal(bogus.stderr, `spinesurv ${name}: unknown subcommand "bogus" (expected ${choices})\n`);
  }
});

test('a usage error names the command once', () => {
  const synth = spawnSync(process.execPath, [bin, 'synth', '--size', '5000', '--out', 'unused'], { encoding: 'utf8' });
  assert.equal(synth.status, 2);
  assert.equal(synth.stderr, 'spinesurv synth: --size must be at most 4096, got 5000\n');
  const info = spawnSync(process.execPath, [bin, 'dicom', 'info'], { encoding: 'utf8' });
  assert.equal(info.status, 2);
  assert.match(info.stderr, /^spinesurv dicom info: expected FILE, got ""/);
});
