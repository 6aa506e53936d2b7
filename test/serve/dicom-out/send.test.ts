/**
 * The C-STORE SCU against real dcmtk SCPs on free local ports: storescp receives both results (and
 * what it wrote is compared, dataset bytes and dcmdump text, with what was built), dcmqrscp refuses
 * a called AE title it does not know, storescp with a narrow profile refuses the SR's SOP class, a
 * dead port and a node that never answers each end in a clear rejection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildResults,
  forwardResults,
  sendInstances,
  StoreFailedError,
  type ForwardedResults,
} from '../../../src/serve/dicom-out/index.js';
import { InputError, UsageError } from '../../../src/util/errors.js';
import { dcmtkPixelBytes, scratchDir, tool } from '../../imaging/dcmtk.js';
import { freePort, heatmapAround, makeSource, resultFor, startScp, stopProcess, type SourceFixture } from './fixtures.js';

let dir: string;
let source: SourceFixture;
let built: ForwardedResults;

before(async () => {
  dir = scratchDir('dicom-send-');
  source = await makeSource(dir);
  built = await buildResults(source.bytes, source.radiograph, resultFor(source.keypoints), heatmapAround(source.radiograph, 60.5, 200.5));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The dataset after the File Meta Information (whose content the receiver rewrites). */
function datasetBytes(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  assert.equal(b.toString('latin1', 128, 132), 'DICM');
  // (0002,0000) UL group length, explicit VR: its value at byte 140, the group's elements after 144.
  return b.subarray(144 + b.readUInt32LE(140));
}

/** dcmdump's text of the dataset only (the meta header is the receiver's own). */
function dumpDataset(path: string): string {
  const out = tool('dcmdump', ['-q', '-Un', '+U8', path]).stdout;
  return out.slice(out.indexOf('# Dicom-Data-Set'));
}

test('forwardResults sends the capture and the report to storescp, which stores both exactly as built', async () => {
  const port = await freePort();
  const received = join(dir, 'received');
  mkdirSync(received);
  const scp = await startScp('storescp', ['-aet', 'RESULTS', '-od', received, String(port)], port, dir);
  let sent: ForwardedResults;
  try {
    sent = await forwardResults(
      { aeTitle: 'RESULTS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' },
      source.bytes,
      source.radiograph,
      resultFor(source.keypoints),
      heatmapAround(source.radiograph, 60.5, 200.5),
      { timeoutMs: 20_000 },
    );
  } finally {
    await stopProcess(scp);
  }
  assert.deepEqual(sent.secondaryCapture.bytes, built.secondaryCapture.bytes);
  assert.deepEqual(sent.structuredReport.bytes, built.structuredReport.bytes);
  const files = readdirSync(received).sort();
  assert.equal(files.length, 2, `storescp wrote ${files.join(', ')}`);
  for (const what of [sent.secondaryCapture, sent.structuredReport]) {
    const name = files.find((f) => f.endsWith(what.sopInstanceUid));
    assert.ok(name !== undefined, `${what.sopInstanceUid} did not arrive`);
    const arrived = readFileSync(join(received, name));
    assert.ok(datasetBytes(arrived).equals(datasetBytes(what.bytes)), `${name}: the stored dataset differs from the built one`);
    const builtPath = join(dir, `built-${what.sopInstanceUid}.dcm`);
    writeFileSync(builtPath, what.bytes);
    assert.equal(dumpDataset(join(received, name)), dumpDataset(builtPath));
  }
});

/**
 * dcmdump's reading of the dataset with the text decoded to UTF-8, without what a re-encoding may
 * change and a reader must not care about: the character set's name, value lengths, defined or
 * undefined sequence lengths, and Pixel Data (compared as decoded bytes instead).
 */
function contentOf(path: string): string {
  return dumpDataset(path).replace(/^# Dicom-Data-Set\n# Used TransferSyntax: .*\n/, '').split('\n')
    .filter((l) => !/^\s*\((0008,0005|7fe0,0010)\)/.test(l) && !/Delimitation/.test(l))
    .map((l) => l.replace(/\s+#.*$/, '').replace(/\((Sequence|Item) with (explicit|undefined) length/, '($1'))
    .join('\n');
}

test('a node that takes only Implicit VR: the content arrives the same (text re-encoded by dcmjs as UTF-8)', async () => {
  const port = await freePort();
  const received = join(dir, 'implicit');
  mkdirSync(received);
  const scp = await startScp('storescp', ['+xi', '-od', received, String(port)], port, dir);
  try {
    await sendInstances({ aeTitle: 'RESULTS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' }, [built.secondaryCapture.bytes, built.structuredReport.bytes], { timeoutMs: 20_000 });
  } finally {
    await stopProcess(scp);
  }
  for (const what of [built.secondaryCapture, built.structuredReport]) {
    const name = readdirSync(received).find((f) => f.endsWith(what.sopInstanceUid));
    assert.ok(name !== undefined, `${what.sopInstanceUid} did not arrive`);
    const arrived = join(received, name);
    assert.match(tool('dcmdump', ['-q', '+P', '0002,0010', arrived]).stdout, /LittleEndianImplicit/);
    const builtPath = join(dir, `implicit-built-${what.sopInstanceUid}.dcm`);
    writeFileSync(builtPath, what.bytes);
    const a = contentOf(arrived);
    const b = contentOf(builtPath);
    assert.ok(a === b, `${name}: content differs:\n${a.split('\n').filter((l, i) => l !== b.split('\n')[i]).slice(0, 5).join('\n')}`);
    assert.match(a, /\(0010,0010\) PN \[Müller\^Jürgen\]/);
  }
  const scName = readdirSync(received).find((f) => f.endsWith(built.secondaryCapture.sopInstanceUid))!;
  const builtSc = join(dir, `implicit-built-${built.secondaryCapture.sopInstanceUid}.dcm`);
  assert.ok(dcmtkPixelBytes(join(received, scName)).equals(dcmtkPixelBytes(builtSc)), 'the capture\'s pixels differ');
});

test('a called AE title the PACS does not know: dcmqrscp rejects the association, and the error says so per instance', async () => {
  const port = await freePort();
  const storage = join(dir, 'qr');
  mkdirSync(storage);
  const config = join(dir, 'dcmqrscp.cfg');
  writeFileSync(config, [
    `NetworkTCPPort  = ${port}`,
    'MaxPDUSize      = 16384',
    'MaxAssociations = 4',
    'HostTable BEGIN',
    'HostTable END',
    'VendorTable BEGIN',
    'VendorTable END',
    'AETable BEGIN',
    `PACS  ${storage}  RW  (10, 100mb)  ANY`,
    'AETable END',
    '',
  ].join('\n'));
  const scp = await startScp('dcmqrscp', ['-c', config, String(port)], port, dir);
  try {
    const instances = [built.secondaryCapture.bytes, built.structuredReport.bytes];
    const dest = { aeTitle: 'NOT_THE_PACS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' };
    await assert.rejects(sendInstances(dest, instances, { timeoutMs: 10_000 }), (error: unknown) => {
      assert.ok(error instanceof StoreFailedError);
      assert.match(error.message, /^C-STORE to NOT_THE_PACS@127\.0\.0\.1:\d+: 2 of 2 instance\(s\) not stored; association rejected \(called AE title not recognized\): /);
      assert.match(error.message, new RegExp(built.secondaryCapture.sopInstanceUid.replace(/\./g, '\\.')));
      assert.deepEqual(error.failures.map((f) => f.sopInstanceUid), [built.secondaryCapture.sopInstanceUid, built.structuredReport.sopInstanceUid]);
      return true;
    });
    // The same node takes them under its own AE title (so the refusal above was the AE title's doing).
    await sendInstances({ ...dest, aeTitle: 'PACS' }, instances, { timeoutMs: 10_000 });
    assert.equal(readdirSync(storage).filter((f) => f.endsWith('.dcm')).length, 2);
  } finally {
    await stopProcess(scp);
  }
});

test('a node that does not take SR: the capture is stored, the report is named as not accepted', async () => {
  const port = await freePort();
  const received = join(dir, 'sc-only');
  mkdirSync(received);
  const config = join(dir, 'sc-only.cfg');
  writeFileSync(config, [
    '[[TransferSyntaxes]]',
    '[Uncompressed]',
    'TransferSyntax1 = LittleEndianExplicit',
    'TransferSyntax2 = LittleEndianImplicit',
    '[[PresentationContexts]]',
    '[CaptureOnly]',
    'PresentationContext1 = SecondaryCaptureImageStorage\\Uncompressed',
    '[[Profiles]]',
    '[Default]',
    'PresentationContexts = CaptureOnly',
    '',
  ].join('\n'));
  const scp = await startScp('storescp', ['-xf', config, 'Default', '-od', received, String(port)], port, dir);
  try {
    await assert.rejects(
      sendInstances({ aeTitle: 'RESULTS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' }, [built.secondaryCapture.bytes, built.structuredReport.bytes], { timeoutMs: 10_000 }),
      (error: unknown) => {
        assert.ok(error instanceof StoreFailedError);
        assert.match(error.message, /1 of 2 instance\(s\) not stored; SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\.33 not accepted by the destination: /);
        assert.deepEqual(error.failures.map((f) => f.sopInstanceUid), [built.structuredReport.sopInstanceUid]);
        return true;
      },
    );
  } finally {
    await stopProcess(scp);
  }
  assert.deepEqual(readdirSync(received).filter((f) => f.endsWith(built.secondaryCapture.sopInstanceUid)).length, 1);
});

test('a dead port rejects at once, naming the refused connection', async () => {
  const port = await freePort();
  const started = Date.now();
  await assert.rejects(
    sendInstances({ aeTitle: 'RESULTS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' }, [built.structuredReport.bytes], { timeoutMs: 10_000 }),
    /not stored; network error \(.*ECONNREFUSED.*\): 2\.25\./,
  );
  assert.ok(Date.now() - started < 5000);
});

test('a node that never answers the store: rejected when the timeout runs out', async () => {
  const port = await freePort();
  const received = join(dir, 'slow');
  mkdirSync(received);
  const scp = await startScp('storescp', ['--sleep-during', '30', '-od', received, String(port)], port, dir);
  const started = Date.now();
  try {
    await assert.rejects(
      sendInstances({ aeTitle: 'RESULTS', host: '127.0.0.1', port, callingAeTitle: 'SPINESURV' }, [built.structuredReport.bytes], { timeoutMs: 1500 }),
      /not stored; no answer within 1\.5 s: 2\.25\./,
    );
  } finally {
    await stopProcess(scp);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 1400 && elapsed < 6000, `took ${elapsed} ms`);
});

test('a destination or instance that cannot be right is refused before any connection', async () => {
  const ok = { aeTitle: 'RESULTS', host: '127.0.0.1', port: 104, callingAeTitle: 'SPINESURV' };
  const one = [built.structuredReport.bytes];
  await assert.rejects(sendInstances({ ...ok, aeTitle: 'A\\B' }, one), (e: unknown) => e instanceof UsageError && /aeTitle "A\\B"/.test((e as Error).message));
  await assert.rejects(sendInstances({ ...ok, callingAeTitle: 'SEVENTEEN_CHARS_X' }, one), /callingAeTitle/);
  await assert.rejects(sendInstances({ ...ok, port: 70000 }, one), /port must be an integer in 1\.\.65535/);
  await assert.rejects(sendInstances(ok, [new Uint8Array(400)]), (e: unknown) => e instanceof InputError && /^instance 1: not a DICOM file/.test((e as Error).message));
});
