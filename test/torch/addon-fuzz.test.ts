// Every export of the libtorch addon, called with hostile arguments, throws a JS Error or returns:
// it never crashes the process. Run in a child process so that a crash fails this test (naming the
// call) instead of killing the test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./addon-fuzz-child.js', import.meta.url));

test('every addon export refuses NaN, Infinity, fractions, huge numbers, wrong types and dead handles with a JS error, never a crash', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-addon-fuzz-'));
  try {
    const lastCall = join(dir, 'last-call.txt');
    const started = Date.now();
    // An 8 GB address-space limit: a call that wrongly allocated a huge tensor fails inside the child
    // instead of taking the machine's memory.
    const run = spawnSync('bash', ['-c', 'ulimit -v 8000000 && exec "$0" "$@"', process.execPath, child, lastCall],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    const seconds = (Date.now() - started) / 1000;
    const last = (() => { try { return readFileSync(lastCall, 'utf8'); } catch { return '(none)'; } })();
    assert.equal(run.signal, null, `the fuzz child was killed by ${run.signal} after ${seconds} s during: ${last}\n${run.stderr.slice(-2000)}`);
    assert.equal(run.status, 0, `the fuzz child exited ${run.status} during: ${last}\n${run.stderr.slice(-2000)}`);
    const result = JSON.parse(run.stdout) as { calls: number; exports: number; failures: string[]; liveBefore: number; liveAfter: number };
    t.diagnostic(`${result.calls} calls over ${result.exports} exports in ${seconds.toFixed(1)} s`);
    assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} calls misbehaved`);
    assert.ok(result.exports >= 160, `only ${result.exports} exports seen`);
    assert.ok(result.calls > 12_000, `only ${result.calls} calls made`);
    assert.equal(result.liveAfter, result.liveBefore, 'tensors were leaked by failed calls');
    assert.ok(seconds < 30, `the fuzz took ${seconds} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
