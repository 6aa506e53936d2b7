// safetensors: round trip, a byte-level fixture, and exchange with an independent Python reader/writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Linear, Sequential, BatchNorm1d, decodeSafetensors, encodeSafetensors, loadSafetensors, readSafetensors, saveSafetensors, tensor,
} from '../../src/torch/index.js';

const python = '/usr/bin/python3';
const checker = fileURLToPath(new URL('../../../test/torch/fixtures/safetensors_check.py', import.meta.url));

test('round trip of a state dict with every dtype and metadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-'));
  try {
    const model = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const tensors = new Map(model.stateDict());
    tensors.set('flags', tensor([1, 0, 1], undefined, { dtype: 'bool' }));
    tensors.set('bytes', tensor(new Uint8Array([0, 255])));
    tensors.set('f64', tensor(new Float64Array([Math.PI])));
    const path = join(dir, 'model.safetensors');
    saveSafetensors(path, tensors, { epoch: '3' });
    const back = readSafetensors(path);
    assert.deepEqual(back.metadata, { epoch: '3' });
    assert.deepEqual([...back.tensors.keys()], [...tensors.keys()]);
    for (const [name, t] of tensors) {
      const u = back.tensors.get(name)!;
      assert.equal(u.dtype, t.dtype, name);
      assert.deepEqual(u.shape, t.shape, name);
      assert.deepEqual(u.toBytes(), t.toBytes(), name);
    }
    const copy = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    copy.loadStateDict(loadSafetensors(path), false);
    assert.deepEqual(copy.stateDict().get('0.weight')!.toArray(), model.stateDict().get('0.weight')!.toArray());
    assert.throws(() => copy.loadStateDict(new Map([['0.weight', tensor([1])]]), false), /0.weight has shape \[1\], the model needs \[2, 3\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('byte layout: header length, padded JSON header, raw little-endian data', () => {
  const bytes = encodeSafetensors({ a: tensor([1.5, -2]) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  assert.deepEqual(header, { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
  assert.deepEqual(Array.from(bytes.subarray(8 + n)), [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]); // 1.5f, -2f

  // A file written byte by byte: header {"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}, value 258.
  const json = Buffer.from('{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}');
  const file = new Uint8Array(8 + json.length + 8);
  file[0] = json.length;
  file.set(json, 8);
  file[8 + json.length] = 2;
  file[8 + json.length + 1] = 1;
  assert.deepEqual(decodeSafetensors(file).tensors.get('x')!.toArray(), [258]);
  assert.throws(() => decodeSafetensors(file.subarray(0, file.length - 1), 'cut.safetensors'), /cut.safetensors: .*outside the data/);
});

// Plain Python 3 (the standard library only; node-gyp needs it to build the addon anyway), never skipped.
test('files written here read with Python by the format rules, and the other way round', () => {
  assert.ok(existsSync(python), `${python} is missing: install python3 (node-gyp needs it too)`);
  const dir = mkdtempSync(join(tmpdir(), 'st-py-'));
  try {
    const ours = join(dir, 'ours.safetensors');
    saveSafetensors(ours, { w: tensor([[1, 2], [3, 4.5]]), idx: tensor(new BigInt64Array([7n, -1n])) }, { source: 'spinesurv' });
    const read = spawnSync(python, [checker, 'read', ours], { encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    const parsed = JSON.parse(read.stdout);
    assert.deepEqual(parsed.w, { dtype: 'F32', shape: [2, 2], values: [1, 2, 3, 4.5] });
    assert.deepEqual(parsed.idx, { dtype: 'I64', shape: [2], values: [7, -1] });
    assert.deepEqual(parsed.__metadata__, { source: 'spinesurv' });

    const theirs = join(dir, 'theirs.safetensors');
    const write = spawnSync(python, [checker, 'write', theirs], { encoding: 'utf8' });
    assert.equal(write.status, 0, write.stderr);
    const back = readSafetensors(theirs);
    assert.deepEqual(back.metadata, { format: 'pt', written_by: 'python' });
    assert.deepEqual(back.tensors.get('weight')!.toArray(), [1.5, -2, 0.25, 8]);
    assert.deepEqual(back.tensors.get('weight')!.shape, [2, 2]);
    assert.deepEqual(Array.from(back.tensors.get('counts')!.toInt64Array()), [1n, -2n, 2n ** 40n]);
    assert.deepEqual(back.tensors.get('scale')!.shape, []);
    assert.equal(back.tensors.get('scale')!.item(), 0.1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a header entry that is not an object is refused as bad input naming the file', () => {
  const fileWithHeader = (json: string): Uint8Array => {
    const header = Buffer.from(json);
    const file = new Uint8Array(8 + header.length);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
    file.set(header, 8);
    return file;
  };
  for (const json of ['{"x":null}', '{"x":3}', '{"__metadata__":null}', '{"__metadata__":"v1"}']) {
    assert.throws(() => decodeSafetensors(fileWithHeader(json), 'odd.safetensors'), (error: Error) => {
      assert.equal(error.name, 'InputError', `${json}: ${error.name}: ${error.message}`);
      assert.match(error.message, /^odd\.safetensors: not a valid safetensors file: /);
      return true;
    });
  }
});
