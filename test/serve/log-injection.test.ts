/**
 * Log lines cannot be forged from outside: a header value with a newline (quoted in the reader's
 * reason for refusing the image) and an AE title with one reach the log as one escaped line each.
 * The node runs in-process over a real SQLite store, storescu sends on loopback.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startDicomNode } from '../../src/serve/dicom-node.js';
import { dicomDeadlines } from '../../src/serve/association-deadlines.js';
import { escapeControls } from '../../src/serve/log-line.js';
import { receiveInstance, type ReceiveContext } from '../../src/serve/receive-instance.js';
import { ClinicalTable } from '../../src/serve/clinical-values.js';
import { ServeDb } from '../../src/serve/serve-db.js';
import { openSqlite } from '../../src/util/sql-driver.js';
import { acknowledged, radiographs, storescuAsync, tempDir, waitFor } from './helpers.js';

let dir: string;
let images: string[];
before(() => {
  dir = tempDir('log-injection');
  images = radiographs(join(dir, 'send'), 1, 9);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const FORGED = 'dicom: stored instance 0123456789ab from "PACS"';

test('escapeControls writes every control character as a visible escape, and leaves other text alone', () => {
  assert.equal(escapeControls('a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u2028i'), 'a\\nb\\rc\\td\\x00e\\x1bf\\x7fg\\x85h\\u2028i');
  assert.equal(escapeControls('Müller ＝ 1 "quoted" \\n'), 'Müller ＝ 1 "quoted" \\n');
  assert.equal(escapeControls(escapeControls('x\ny')), 'x\\ny', 'idempotent');
});

test('a header value and an AE title with a newline are logged on one line, escaped; no forged line', { timeout: 60_000 }, async () => {
  const store = join(dir, 'store');
  const imagesDir = join(store, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const db = new ServeDb(openSqlite(join(store, 'serve.sqlite')));
  await db.init();
  const lines: string[] = [];
  const ctx: ReceiveContext = { db, imagesDir, clinical: ClinicalTable.empty(), clinicalColumns: ['age', 'sex'], forward: false, log: (l) => lines.push(l), received: () => undefined };
  const n = await startDicomNode({
    aeTitle: 'SPINESURV', maxDatasetBytes: 4 << 20, maxInFlightBytes: 64 << 20, maxAssociations: 16, maxAssociationsPerAddress: 16, deadlines: dicomDeadlines({}),
    allowedCallers: null, host: '127.0.0.1', port: 0, log: (l) => lines.push(l), store: (meta, dataset) => receiveInstance(ctx, meta, dataset),
  });
  try {
    // The reader refuses a colour image quoting its Photometric Interpretation: here a newline and a fake "stored" line.
    const forged = join(dir, 'forged.dcm');
    copyFileSync(images[0], forged);
    assert.equal(spawnSync('dcmodify', ['-nb', '-m', `(0028,0004)=RGB\n${FORGED}`, forged]).status, 0);
    const run = await storescuAsync(n.port, [forged]);
    assert.deepEqual(acknowledged(run.output).refused, [forged], run.output);
    await waitFor(() => lines.some((l) => l.includes('refused')), 5000, 'the refusal logged');

    // An A-ASSOCIATE-RQ whose calling AE title carries a newline (built by hand: dcmtk will not send one).
    const rq = Buffer.alloc(74);
    rq[0] = 1;
    rq.writeUInt32BE(68, 2);
    rq.writeUInt16BE(1, 6);
    rq.write('WRONGAE'.padEnd(16), 10, 'latin1');
    rq.write('A\nFORGED LINE'.padEnd(16), 26, 'latin1');
    const s = connect(n.port, '127.0.0.1', () => s.write(rq));
    s.on('error', () => undefined);
    await waitFor(() => lines.some((l) => /called AE title "WRONGAE" is not ours/.test(l)), 5000, 'the wrong called AE title logged');
    s.destroy();

    for (const l of lines) assert.doesNotMatch(l, /[\u0000-\u001f\u007f-\u009f]/, `a log line with a control character: ${JSON.stringify(l)}`);
    assert.ok(!lines.some((l) => l.startsWith(FORGED)), 'no forged line');
    assert.ok(lines.some((l) => l.includes(`colour image (RGB\\n${FORGED}`)), lines.join('\n'));
    assert.ok(lines.every((l) => l.startsWith('dicom: ')), lines.join('\n'));
  } finally {
    await n.close();
    await db.close();
  }
});
