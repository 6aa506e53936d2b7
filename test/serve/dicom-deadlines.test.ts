/**
 * The DICOM node against peers that hold association slots without sending images, on loopback:
 * connections that send nothing or trickle bytes before their association request is complete, an
 * association that goes silent, one that trickles inside the idle deadline, and many connections from
 * one address. dcmtk's echoscu is the real sender that must get through. Every loop is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { startDicomNode, type DicomNode } from '../../src/serve/dicom-node.js';
import { dicomDeadlines, PerAddressCap } from '../../src/serve/association-deadlines.js';
import { waitFor, type DcmtkRun } from './helpers.js';

function echoscu(port: number): Promise<DcmtkRun> {
  return new Promise((resolve) => {
    const child = spawn('echoscu', ['-to', '5', '-ta', '5', '-aet', 'TESTSCU', '-aec', 'SPINESURV', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ status: code, output: out }));
  });
}

async function node(o: { perAddress?: number; seconds?: Parameters<typeof dicomDeadlines>[0] } = {}): Promise<{ node: DicomNode; lines: string[] }> {
  const lines: string[] = [];
  const n = await startDicomNode({
    aeTitle: 'SPINESURV', maxDatasetBytes: 4 << 20, maxInFlightBytes: 64 << 20, maxAssociations: 16, maxAssociationsPerAddress: o.perAddress ?? 16,
    deadlines: dicomDeadlines(o.seconds ?? {}), allowedCallers: null, host: '127.0.0.1', port: 0, log: (l) => lines.push(l),
    store: async () => ({ ok: true, duplicate: false, tag: 'test' }),
  });
  return { node: n, lines };
}

interface Held {
  socket: Socket;
  closedAt: Promise<number>;
}

function hold(port: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, closedAt: new Promise((r) => socket.once('close', () => r(Date.now()))) });
    });
    socket.once('error', reject);
  });
}

/** Writes `bytes` one at a time every `everyMs` until the socket closes (or the bytes run out). */
function trickle(socket: Socket, bytes: Buffer, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return void clearInterval(timer);
    socket.write(bytes.subarray(at, ++at));
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

const aeField = (ae: string): Buffer => Buffer.from(ae.padEnd(16, ' '), 'ascii');
const item = (type: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(body.length, 2);
  return Buffer.concat([h, body]);
};

/** A minimal A-ASSOCIATE-RQ (PS3.8 §9.3.2) proposing Verification in Implicit VR Little Endian, built by hand. */
function associateRq(): Buffer {
  const context = Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, Buffer.from('1.2.840.10008.1.1')), item(0x40, Buffer.from('1.2.840.10008.1.2'))]);
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(16384);
  const body = Buffer.concat([
    Buffer.from([0, 1, 0, 0]), aeField('SPINESURV'), aeField('TESTSCU'), Buffer.alloc(32),
    item(0x10, Buffer.from('1.2.840.10008.3.1.1.1')), item(0x20, context), item(0x50, item(0x51, maxLength)),
  ]);
  const header = Buffer.alloc(6);
  header[0] = 1;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

test('16 connections that send nothing or trickle an association request hold every slot only until the associate deadline; echoscu gets in within it', { timeout: 60_000 }, async (t) => {
  // The defaults `spinesurv serve` runs with (10 s to associate), one address allowed all 16 slots.
  const { node: n, lines } = await node();
  const held: Held[] = [];
  try {
    const start = Date.now();
    for (let i = 0; i < 16; i++) held.push(await hold(n.port));
    // Half send nothing; half send an A-ASSOCIATE-RQ one byte a second (the attack sent one every 100 s).
    held.slice(8).forEach((h) => trickle(h.socket, associateRq(), 1000));
    const blocked = await echoscu(n.port);
    assert.notEqual(blocked.status, 0, 'while the 16 hold the slots, a 17th connection is turned away');
    let admitted: number | null = null;
    // Bounded: one echoscu at a time for at most 30 s.
    while (Date.now() - start < 30_000) {
      if ((await echoscu(n.port)).status === 0) {
        admitted = Date.now() - start;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(admitted !== null, 'echoscu never got in within 30 s');
    t.diagnostic(`echoscu succeeded ${admitted} ms after the 16 connections were opened`);
    assert.ok(admitted < 10_000 + 3_000, `echoscu got in ${admitted} ms after the hold began (deadline 10 s)`);
    const closed = await Promise.all(held.map((h) => h.closedAt));
    for (const t of closed) assert.ok(t - start < 10_000 + 3_000, `a held connection closed after ${t - start} ms`);
    assert.equal(lines.filter((l) => /^dicom: connection from 127\.0\.0\.1 closed: no complete association request within 10 s \(--dicom-associate-seconds\)$/.test(l)).length, 16, lines.join('\n'));
  } finally {
    for (const h of held) h.socket.destroy();
    await n.close();
  }
});

test('an association that goes silent is aborted at the idle deadline; one that trickles inside it, at the whole-association deadline', { timeout: 30_000 }, async () => {
  const { node: n, lines } = await node({ seconds: { dicomIdleSeconds: 1, dicomAssociationSeconds: 3 } });
  try {
    const silent = await hold(n.port);
    const received: Buffer[] = [];
    silent.socket.on('data', (d: Buffer) => received.push(d));
    const t0 = Date.now();
    silent.socket.write(associateRq());
    await waitFor(() => received.length > 0 && received[0][0] === 0x02, 5000, 'the A-ASSOCIATE-AC');
    const silentClosed = (await silent.closedAt) - t0;
    assert.ok(silentClosed >= 900 && silentClosed < 2500, `the silent association closed after ${silentClosed} ms (idle 1 s)`);
    assert.ok(Buffer.concat(received).includes(Buffer.from([0x07, 0x00])), 'it was told with an A-ABORT');
    assert.ok(lines.some((l) => /closed: nothing received for 1 s \(--dicom-idle-seconds\)$/.test(l)), lines.join('\n'));

    // One byte of a P-DATA-TF every 0.4 s: never idle for 1 s, yet it ends at 3 s from connect.
    const slow = await hold(n.port);
    const t1 = Date.now();
    slow.socket.write(associateRq());
    const pdata = Buffer.concat([Buffer.from([0x04, 0, 0, 0, 0x10, 0]), Buffer.alloc(0x1000)]);
    trickle(slow.socket, pdata, 400);
    const slowClosed = (await slow.closedAt) - t1;
    assert.ok(slowClosed >= 2900 && slowClosed < 4500, `the trickling association closed after ${slowClosed} ms (whole deadline 3 s)`);
    assert.ok(lines.some((l) => /closed: the association lasted 3 s \(--dicom-association-seconds\)$/.test(l)), lines.join('\n'));
    assert.equal((await echoscu(n.port)).status, 0, 'a real association is served as before');
  } finally {
    await n.close();
  }
});

test('--max-associations-per-address: past the cap one address is closed on connect, logged; the slots stay for others', { timeout: 30_000 }, async () => {
  const cap = new PerAddressCap(2);
  assert.deepEqual([cap.admit('10.0.0.1'), cap.admit('10.0.0.1'), cap.admit('10.0.0.1'), cap.admit('10.0.0.2')], [true, true, false, true]);
  cap.release('10.0.0.1');
  assert.equal(cap.admit('10.0.0.1'), true);

  const { node: n, lines } = await node({ perAddress: 4 });
  const held: Held[] = [];
  try {
    for (let i = 0; i < 4; i++) held.push(await hold(n.port));
    const fifth = await hold(n.port);
    await fifth.closedAt;
    await waitFor(() => lines.some((l) => l === 'dicom: connection from 127.0.0.1 closed: 4 associations from this address are open already (--max-associations-per-address)'), 5000, 'the refusal logged');
    assert.notEqual((await echoscu(n.port)).status, 0, 'the same address is at its cap');
    held.pop()!.socket.destroy();
    await waitFor(async () => (await echoscu(n.port)).status === 0, 5000, 'a slot of this address freed');
  } finally {
    for (const h of held) h.socket.destroy();
    await n.close();
  }
});
