import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFolders, writeFileAtomic } from '../../src/util/atomic-write.js';

test('makeFolders creates missing parents; under /proc it fails at once (Node\'s recursive mkdir never returns there)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-aw-'));
  try {
    makeFolders(join(dir, 'a', 'b', 'c'));
    assert.ok(existsSync(join(dir, 'a', 'b', 'c')));
    writeFileAtomic(join(dir, 'x', 'y.txt'), 'ok');
    assert.ok(existsSync(join(dir, 'x', 'y.txt')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const module = fileURLToPath(new URL('../../src/util/atomic-write.js', import.meta.url));
  const script = `import('${module}').then((m) => { try { m.writeFileAtomic('/proc/spinesurv-x/y.txt', 'a'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.signal, null, 'did not hang');
  assert.match(r.stdout, /^InputError: \/proc\/spinesurv-x\/y\.txt: cannot be created here/);
});
