/**
 * The command line's manners: a reader that stops early (`| head`) ends the command quietly with
 * exit 0, through a real pipe; a mistyped option or command gets the nearest real name; -h is --help;
 * `spinesurv help COMMAND` is `spinesurv COMMAND --help`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('piping into head ends quietly with exit 0 (real pipe, output larger than the pipe buffer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-pipe-'));
  try {
    const csv = join(dir, 'big.csv');
    const lines = ['time,event,score,group'];
    for (let i = 0; i < 40000; i++) lines.push(`${i + 1},${i % 3 ? 1 : 0},${(i * 7919) % 1000},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const commands = [
      `km --data ${csv} --time time --event event`,
      `km --data ${csv} --time time --event event --json`,
      `km --data ${csv} --time time --event event --group group`,
      `dicom scan ${dir}`,
    ];
    for (const c of commands) {
      const sh = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" ${c} 2>"${dir}/err" | head -c 100 >/dev/null; echo "rc=$?"; cat "${dir}/err"`], { encoding: 'utf8' });
      assert.equal(sh.stdout.split('\n')[0], 'rc=0', `${c}: ${sh.stdout}`);
      assert.doesNotMatch(sh.stdout, /EPIPE|Unhandled|    at /, c);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command that prints ends quietly with exit 0 when the reader has already gone (| true)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-pipe-'));
  try {
    const csv = join(dir, 'd.csv');
    const lines = ['time,event,score,group'];
    for (let i = 0; i < 200; i++) lines.push(`${(i * 37) % 97 + 1},${i % 3 ? 1 : 0},${(i * 7919) % 1000},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const data = `--data ${csv} --time time --event event`;
    const commands = [
      '--help',
      'cox --help',
      `cox ${data} --covariates score`,
      `cox ${data} --covariates score --json`,
      `km ${data} --group group`,
      `concordance ${data} --score score`,
      `table1 --data ${csv} --group group --continuous score`,
      `table1 --data ${csv} --group group --continuous score --markdown`,
      `dicom scan ${dir} --json`,
      `synth --out ${join(dir, 'cohort')} --patients 20 --size 64 --no-images --json`,
      `cox ${data} --covariates score --out ${join(dir, 'model')}`,
      `predict --model ${join(dir, 'model')} --data ${csv} --out ${join(dir, 'p.csv')} --json`,
      'engine info',
      'deepsurv --help',
      'help dicom info',
    ];
    for (const c of commands) {
      const sh = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" ${c} 2>"${dir}/err" | true; echo "rc=$?"; cat "${dir}/err"`], { encoding: 'utf8' });
      assert.equal(sh.stdout.split('\n')[0], 'rc=0', `${c}: ${sh.stdout}`);
      assert.doesNotMatch(sh.stdout, /EPIPE|Unhandled|    at /, c);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mistyped option names the nearest real one; a missing value and a value given to a switch are said plainly', () => {
  const tie = run(['cox', '--tie', 'breslow']);
  assert.equal(tie.status, 2);
  assert.equal(tie.stderr, 'spinesurv cox: unknown option --tie; did you mean --ties? (see --help)\n');
  const covs = run(['km', '--dat', 'x.csv']);
  assert.equal(covs.stderr, 'spinesurv km: unknown option --dat; did you mean --data? (see --help)\n');
  const far = run(['km', '--zzzzzzzz']);
  assert.equal(far.stderr, 'spinesurv km: unknown option --zzzzzzzz (see --help)\n');
  const sub = run(['deepsurv', 'fit', '--epoch', '3']);
  assert.equal(sub.stderr, 'spinesurv deepsurv fit: unknown option --epoch; did you mean --epochs? (see --help)\n');
  assert.equal(run(['cox', '--data']).stderr, 'spinesurv cox: --data needs a value (a value starting with "-" is written --data=-1) (see --help)\n');
  assert.equal(run(['cox', '--json=yes']).stderr, 'spinesurv cox: --json takes no value (see --help)\n');
  const cmd = run(['conkordance']);
  assert.equal(cmd.status, 2);
  assert.equal(cmd.stderr, 'spinesurv: unknown command "conkordance"; did you mean concordance? (see spinesurv --help)\n');
});

test('-h is --help, and `spinesurv help COMMAND [SUB]` prints that command\'s help', () => {
  const long = run(['cox', '--help']);
  const short = run(['cox', '-h']);
  assert.equal(short.status, 0);
  assert.equal(short.stdout, long.stdout);
  assert.match(long.stdout, /-h, --help/);
  const viaHelp = run(['help', 'cox']);
  assert.equal(viaHelp.status, 0);
  assert.equal(viaHelp.stdout, long.stdout);
  const subHelp = run(['help', 'deepsurv', 'fit']);
  assert.equal(subHelp.status, 0);
  assert.equal(subHelp.stdout, run(['deepsurv', 'fit', '--help']).stdout);
  assert.equal(run(['deepsurv', 'fit', '-h']).stdout, subHelp.stdout);
});

test('messages name the flag the user typed, not an internal field name', () => {
  const base = ['--data', 'x.csv', '--time', 't', '--event', 'e', '--covariates', 'a'];
  assert.equal(run(['deepsurv', 'fit', ...base, '--out', 'm', '--lr', '0']).stderr, 'spinesurv deepsurv fit: --lr must be > 0, got 0\n');
  assert.equal(run(['deepsurv', 'search', ...base, '--validation', '2']).stderr, 'spinesurv deepsurv search: --validation must be in [0, 0.9], got 2\n');
  assert.equal(run(['deepsurv', 'fit', ...base, '--out', 'm', '--batch-size', '1.5']).stderr, 'spinesurv deepsurv fit: --batch-size must be an integer >= 0, got 1.5\n');
  assert.equal(run(['cox', ...base, '--ridge=-1']).stderr, 'spinesurv cox: --ridge must be >= 0, got -1\n');
});
