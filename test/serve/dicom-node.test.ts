/**
 * The DICOM node's protection against a flood before and during C-STORE, with real clients: raw TCP
 * sockets (an A-ASSOCIATE-RQ or P-DATA-TF header declaring gigabytes, more connections than allowed)
 * and dcmtk's storescu / echoscu (two associations at once against the in-flight byte budget; the same
 * SOP Instance UID sent twice with different bytes). The node runs in-process over a real SQLite store
 * so that a test can hold a C-STORE open; nothing of the network is mocked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDicomNode, pduGuard, type DicomNode } from '../../src/serve/dicom-node.js';
import { receiveInstance, type ReceiveContext } from '../../src/serve/receive-instance.js';
import { ClinicalTable } from '../../src/serve/clinical-values.js';
import { ServeDb } from '../../src/serve/serve-db.js';
import { openSqlite } from '../../src/util/sql-driver.js';
import { dicomDeadlines } from '../../src/serve/association-deadlines.js';
import { acknowledged, radiographs, tempDir, waitFor, type DcmtkRun } from './helpers.js';

/** A dcmtk client run without blocking this process's event loop (the node under test runs in it). */
function dcmtk(tool: string, args: string[]): Promise<DcmtkRun> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ status: code, output: out }));
  });
}
const echoscu = (port: number): Promise<DcmtkRun> => dcmtk('echoscu', ['-aet', 'TESTSCU', '-aec', 'SPINESURV', '127.0.0.1', String(port)]);
const storescu = (port: number, files: string[]): Promise<DcmtkRun> => dcmtk('storescu', ['-v', '-nh', '-aet', 'TESTSCU', '-aec', 'SPINESURV', '127.0.0.1', String(port), ...files]);

let dir: string;
let images: string[];

before(() => {
  dir = tempDir('dicom-node');
  images = radiographs(join(dir, 'send'), 4, 5);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Node {
  node: DicomNode;
  lines: string[];
}

async function node(options: { maxAssociations?: number; maxInFlightBytes?: number; store?: Parameters<typeof startDicomNode>[0]['store'] } = {}): Promise<Node> {
  const lines: string[] = [];
  const n = await startDicomNode({
    aeTitle: 'SPINESURV', maxDatasetBytes: 4 << 20, maxInFlightBytes: options.maxInFlightBytes ?? 64 << 20, maxAssociations: options.maxAssociations ?? 16,
    maxAssociationsPerAddress: 16, deadlines: dicomDeadlines({}),
    allowedCallers: null, host: '127.0.0.1', port: 0, log: (l) => lines.push(l),
    store: options.store ?? (async () => ({ ok: true, duplicate: false, tag: 'test' })),
  });
  return { node: n, lines };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `total` zero bytes after `header` as fast as the socket takes them; resolves with how many went out before the server closed it. */
function flood(socket: Socket, header: Buffer, total: number): Promise<{ sent: number; closedByServer: boolean }> {
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      resolve({ sent, closedByServer });
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const chunk = Buffer.alloc(1 << 20);
    const pump = (): void => {
      if (done) return;
      if (sent === 0 && !socket.write(header)) return void socket.once('drain', pump);
      while (sent < total && !done) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      // Everything written: the server had no reason to stop reading; wait a little for a close that would come.
      setTimeout(() => finish(false), 2000);
    };
    pump();
  });
}

const pduHeader = (type: number, length: number): Buffer => {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(length, 2);
  return h;
};

test('pduGuard reads PDU headers across chunk boundaries (hand-built byte streams)', () => {
  const guard = pduGuard(1000);
  // An A-ASSOCIATE-RQ of 10 bytes split 1+4+... then a P-DATA-TF of 900, then a header split over three chunks declaring too much.
  const stream = Buffer.concat([pduHeader(1, 10), Buffer.alloc(10), pduHeader(4, 900), Buffer.alloc(900), pduHeader(4, 1001)]);
  const cuts = [1, 5, 16, 17, 500, stream.length - 3, stream.length - 1];
  let at = 0;
  const answers: (string | null)[] = [];
  for (const cut of [...cuts, stream.length]) {
    answers.push(guard(stream.subarray(at, cut)));
    at = cut;
  }
  assert.deepEqual(answers.slice(0, -1), Array(cuts.length).fill(null));
  assert.equal(answers.at(-1), 'PDU type 4 declares 1001 bytes (at most 1000)');
  assert.equal(pduGuard(1000)(pduHeader(1, 65537)), 'PDU type 1 declares 65537 bytes (at most 65536)');
  assert.equal(pduGuard(1000)(pduHeader(9, 1)), 'unknown PDU type 0x09');
});

test('a raw A-ASSOCIATE-RQ or P-DATA-TF declaring gigabytes is cut off at its header, logged; the node keeps serving', { timeout: 60_000 }, async () => {
  const { node: n, lines } = await node();
  try {
    const cpu0 = process.cpuUsage();
    const rss0 = process.memoryUsage().rss;
    const association = await flood(await open(n.port), pduHeader(1, 2 ** 31), 48 << 20);
    assert.ok(association.closedByServer, 'the server closed the connection');
    assert.ok(association.sent < 48 << 20, `closed before 48 MB arrived (${association.sent} bytes written)`);
    const data = await flood(await open(n.port), pduHeader(4, 100 << 20), 48 << 20);
    assert.ok(data.closedByServer && data.sent < 48 << 20, 'a P-DATA-TF over the advertised PDU size is cut off too');
    const cpu = process.cpuUsage(cpu0);
    // Measured before the guard: 48 MB cost 11 s of CPU and 300 MB of memory (the library concatenates the PDU chunk by chunk).
    assert.ok((cpu.user + cpu.system) / 1e6 < 3, `CPU ${(cpu.user + cpu.system) / 1e6} s`);
    assert.ok(process.memoryUsage().rss - rss0 < 150 << 20, 'memory did not grow with the declared length');
    await waitFor(() => lines.some((l) => /^dicom: connection from 127\.0\.0\.1 closed: PDU type 1 declares 2147483648 bytes \(at most 65536\)$/.test(l)), 5000, 'the association flood logged');
    await waitFor(() => lines.some((l) => /closed: PDU type 4 declares 104857600 bytes \(at most \d+\)$/.test(l)), 5000, 'the P-DATA flood logged');
    assert.equal((await echoscu(n.port)).status, 0, 'still serving');
  } finally {
    await n.close();
  }
});

test('--max-associations: a connection past the limit is closed at once and logged; those open stay open', { timeout: 30_000 }, async () => {
  const { node: n, lines } = await node({ maxAssociations: 2 });
  const held: Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) held.push(await open(n.port));
    const closed = held.map((s) => new Promise<boolean>((resolve) => s.once('close', () => resolve(true))));
    const third = await open(n.port);
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    await waitFor(() => lines.some((l) => /closed: 2 associations are open already \(--max-associations\)/.test(l)), 5000, 'the refused connection logged');
    const early = await Promise.race([...closed, new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
    assert.equal(early, false, 'the first two are still open');
    for (const s of held) s.destroy();
    await Promise.all(closed);
    await waitFor(async () => (await echoscu(n.port)).status === 0, 5000, 'a new association once the others closed');
  } finally {
    for (const s of held) s.destroy();
    await n.close();
  }
});

test('--max-dicom-in-flight-mb: while one association holds a dataset, a second that would pass the budget is refused (busy), then accepted', { timeout: 60_000 }, async () => {
  const size = readFileSync(images[0]).length;
  let release: () => void = () => undefined;
  const holding = new Promise<void>((r) => (release = r));
  let first = true;
  const { node: n, lines } = await node({
    // Room for one radiograph, not two.
    maxInFlightBytes: Math.round(size * 1.5),
    store: async () => {
      if (first) {
        first = false;
        await holding;
      }
      return { ok: true, duplicate: false, tag: 'test' };
    },
  });
  try {
    const slow = storescu(n.port, [images[0]]);
    await waitFor(() => !first, 20_000, 'the first C-STORE held');
    const busy = await storescu(n.port, [images[1]]);
    assert.deepEqual(acknowledged(busy.output).refused, [images[1]], busy.output);
    assert.match(busy.output, /Received Store Response \(.*(OutOfResources|A700)/i);
    assert.ok(lines.some((l) => /refused: the associations together hold \d+ MB of datasets \(--max-dicom-in-flight-mb\)/.test(l)), lines.join('\n'));
    release();
    assert.deepEqual(acknowledged((await slow).output).success, [images[0]]);
    assert.deepEqual(acknowledged((await storescu(n.port, [images[1]])).output).success, [images[1]], 'accepted once the budget is free');
  } finally {
    release();
    await n.close();
  }
});

test('the same SOP Instance UID with different bytes: logged, the first copy kept; at once from two associations, the row\'s sha256 matches its one file', { timeout: 60_000 }, async () => {
  const store = join(dir, 'store-race');
  const imagesDir = join(store, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const db = new ServeDb(openSqlite(join(store, 'serve.sqlite')));
  await db.init();
  const lines: string[] = [];
  const ctx: ReceiveContext = { db, imagesDir, clinical: ClinicalTable.empty(), clinicalColumns: ['age', 'sex'], forward: false, log: (l) => lines.push(l), received: () => undefined };
  const n = await startDicomNode({
    aeTitle: 'SPINESURV', maxDatasetBytes: 4 << 20, maxInFlightBytes: 64 << 20, maxAssociations: 16, maxAssociationsPerAddress: 16, deadlines: dicomDeadlines({}),
    allowedCallers: null, host: '127.0.0.1', port: 0,
    log: (l) => lines.push(l), store: (meta, dataset) => receiveInstance(ctx, meta, dataset),
  });
  const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
  try {
    // Three versions of one instance (dcmodify changes a patient field; the SOP Instance UID stays).
    const versions = ['A', 'B', 'C'].map((v) => {
      const f = join(dir, `version-${v}.dcm`);
      copyFileSync(images[2], f);
      assert.equal(spawnSync('dcmodify', ['-nb', '-m', `(0010,0010)=Version^${v}`, f]).status, 0);
      return f;
    });
    assert.deepEqual(acknowledged((await storescu(n.port, [versions[0]])).output).success, [versions[0]]);
    assert.deepEqual(acknowledged((await storescu(n.port, [versions[1]])).output).success, [versions[1]], 'acknowledged: the instance is stored');
    assert.ok(lines.some((l) => /^dicom: instance [0-9a-f]{12} received again with different bytes \(sha256 differs\); the copy stored first is kept$/.test(l)), lines.join('\n'));
    const [row] = await db.list();
    assert.match(readFileSync(join(imagesDir, row.file)).toString('latin1'), /Version\^A/, 'the first copy kept');

    // At once: two associations, then the same receive twice in one tick (both pass the "already there?" check).
    const [b, c] = [join(dir, 'race-B.dcm'), join(dir, 'race-C.dcm')];
    for (const [f, v] of [[b, 'B'], [c, 'C']] as const) {
      copyFileSync(images[3], f);
      assert.equal(spawnSync('dcmodify', ['-nb', '-m', `(0010,0010)=Race^${v}`, f]).status, 0);
    }
    const runs = await Promise.all([storescu(n.port, [b]), storescu(n.port, [c])]);
    for (const r of runs) assert.equal(acknowledged(r.output).success.length, 1, r.output);
    const rows = await db.list();
    assert.equal(rows.length, 2);
    for (const r of rows) assert.equal(sha(join(imagesDir, r.file)), r.sha256, 'each row\'s sha256 is its file\'s');
    assert.deepEqual(readdirSync(imagesDir).filter((f) => f.endsWith('.dcm')).sort(), rows.map((r) => r.file).sort(), 'no file without a row');

    const bytesOf = (f: string): Uint8Array => {
      // The dataset after the Part 10 header, as a C-STORE carries it (dcmconv writes it bare: -F +te).
      const bare = join(dir, 'bare.dcm');
      assert.equal(spawnSync('dcmconv', ['-F', '+te', f, bare]).status, 0);
      return new Uint8Array(readFileSync(bare));
    };
    const uid = spawnSync('dcmdump', ['+P', '0008,0018', images[0]], { encoding: 'utf8' }).stdout.match(/\[([0-9.]+)\]/)![1];
    const meta = { sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', sopInstanceUid: uid, transferSyntaxUid: '1.2.840.10008.1.2.1', callingAeTitle: 'T' };
    const x = join(dir, 'tick-X.dcm');
    const y = join(dir, 'tick-Y.dcm');
    for (const [f, v] of [[x, 'X'], [y, 'Y']] as const) {
      copyFileSync(images[0], f);
      assert.equal(spawnSync('dcmodify', ['-nb', '-m', `(0010,0010)=Tick^${v}`, f]).status, 0);
    }
    const [bx, by] = [bytesOf(x), bytesOf(y)];
    const outcomes = await Promise.all([receiveInstance(ctx, meta, bx), receiveInstance(ctx, meta, by)]);
    assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes));
    const tickRow = (await db.get(uid))!;
    assert.equal(sha(join(imagesDir, tickRow.file)), tickRow.sha256, 'the row\'s sha256 is its file\'s');
    assert.equal(readdirSync(imagesDir).filter((f) => f.endsWith('.dcm')).length, 3, 'the losing copy was removed');
    assert.ok(lines.filter((l) => /received again with different bytes/.test(l)).length >= 2, 'the race logged');
  } finally {
    await n.close();
    await db.close();
  }
});
