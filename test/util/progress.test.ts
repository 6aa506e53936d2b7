import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progress } from '../../src/util/progress.js';

test('without a terminal, progress prints one line per quarter reached', () => {
  const lines: string[] = [];
  const write = process.stderr.write;
  const wasTty = process.stderr.isTTY;
  process.stderr.isTTY = false;
  process.stderr.write = ((chunk: string) => (lines.push(chunk), true)) as typeof process.stderr.write;
  try {
    const p = progress('work', 100);
    for (let i = 0; i <= 100; i++) p.tick(i);
  } finally {
    process.stderr.write = write;
    process.stderr.isTTY = wasTty;
  }
  assert.deepEqual(lines.map((l) => l.match(/\((\d+)%\)/)?.[1]), ['0', '25', '50', '75', '100']);
});
