/**
 * Child process of the addon fuzz test: calls every export of the libtorch addon with a valid
 * argument list (from addon-signatures.ts), then with each argument in turn replaced by hostile
 * values (NaN, Infinity, fractions, huge and negative numbers, wrong types, a disposed tensor,
 * another thread's tensor). Where the argument's kind rules a value out, the call must throw a JS
 * Error; every other call may return or throw, but only an Error. Before each call it writes what it
 * is about to do to the file named by argv[2], so that the parent can name the call that crashed.
 * Prints one JSON object: { calls, exports, failures[], liveBefore, liveAfter }.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { native } from '../../src/torch/native.js';
import { OPTIMIZER_FLAGS, OPTIMIZER_NUMBERS, SIGNATURES, type Maker } from './addon-signatures.js';

type Fn = (...args: unknown[]) => unknown;
const addon = native as unknown as Record<string, Fn>;
const lastCall = openSync(process.argv[2]!, 'w');

// One write per call (padded, so a shorter note overwrites a longer one without a truncate).
function note(text: string): void {
  writeSync(lastCall, text.padEnd(240), 0);
}

/** A live tensor of another thread (a worker kept running until the end). */
const otherThread = new Worker(new URL('./thread-worker.js', import.meta.url));
async function foreignHandle(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    otherThread.once('message', (m: { handle: number }) => resolve(m.handle));
    otherThread.once('error', reject);
    otherThread.postMessage({ op: 'handle' });
  });
}

const stale = addon.zeros!([2]) as number;
addon.dispose!(stale);
const foreign = await foreignHandle();

// [label, value]: arrays are fresh each time (a call must not keep them).
const HOSTILE: Array<[string, () => unknown]> = [
  ['NaN', () => Number.NaN], ['Infinity', () => Infinity], ['-Infinity', () => -Infinity], ['-1', () => -1], ['3', () => 3],
  ['0.5', () => 0.5], ['-0.5', () => -0.5], ['2^53', () => 2 ** 53], ['2^53-1', () => 2 ** 53 - 1],
  ['-(2^53-1)', () => -(2 ** 53 - 1)], ['1e300', () => 1e300], ['-1e300', () => -1e300], ['5e-324', () => 5e-324],
  ["'x'", () => 'x'], ["''", () => ''], ['{}', () => ({})], ['[]', () => []], ['[NaN]', () => [Number.NaN]],
  ['[Infinity]', () => [Infinity]], ['[0.5]', () => [0.5]], ['[2^53]', () => [2 ** 53]], ['[-1]', () => [-1]],
  ["['a']", () => ['a']], ['[{}]', () => [{}]], ['[hole, 1]', () => [, 1]], ['[1, NaN]', () => [1, Number.NaN]],
  ['undefined', () => undefined], ['null', () => null], ['true', () => true], ['false', () => false],
  ['Symbol', () => Symbol('s')], ['10n', () => 10n], ['function', () => () => 1], ['Float64Array', () => new Float64Array(2)],
  ['disposed tensor', () => stale], ["another thread's tensor", () => foreign],
];

// Values shaped as arrays test list arguments; a scalar argument meets '[]' and '{}' among the rest.
const LIST_ONLY = new Set(['[NaN]', '[Infinity]', '[0.5]', '[2^53]', '[-1]', "['a']", '[{}]', '[hole, 1]', '[1, NaN]', 'Float64Array']);
function hostileFor(kind: string): Array<[string, () => unknown]> {
  const list = /^(IL|FL|L|D|O)\??$/.test(kind);
  return list ? HOSTILE : HOSTILE.filter(([label]) => !LIST_ONLY.has(label));
}

function isSafeInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function everyElement(v: unknown[], ok: (x: unknown) => boolean): boolean {
  for (let i = 0; i < v.length; i++) if (!ok(v[i])) return false; // holes read as undefined
  return true;
}

/** Whether an argument of this kind must refuse `value` (else the call may go either way). */
function mustRefuse(kind: string, value: unknown): boolean {
  const base = kind.replace('?', '');
  if (kind.endsWith('?') && (value === null || value === undefined)) return false;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  switch (base) {
    case 'T': case 'S': case 'O': case 'P': return true;
    case 'H': return value !== stale;
    case 'L': return !Array.isArray(value) || value.length > 0;
    case 'I': return !isSafeInt(value);
    case 'IL': return Array.isArray(value) ? !everyElement(value, isSafeInt) : !isSafeInt(value);
    case 'N': return typeof value !== 'number';
    case 'F': return !finite(value);
    case 'FL': return Array.isArray(value) ? !everyElement(value, finite) : !finite(value);
    case 'B': return typeof value !== 'boolean';
    case 'X': return typeof value !== 'number' && typeof value !== 'boolean';
    case 'D': return !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
    case 'A': return false;
    default: throw new Error(`unknown argument kind ${kind}`);
  }
}

// Everything a call made (its arguments and its results) is freed after it.
const made: number[] = [];
const optimizers: unknown[] = [];
const maker: Maker = {
  native: addon,
  t(shape, dtype = 'float32') {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = dtype === 'int64' ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2))
      : dtype === 'bool' ? Uint8Array.from({ length: n }, (_, i) => i % 2)
        : Float32Array.from({ length: n }, (_, i) => 0.1 * (i + 1));
    const h = addon.fromBuffer!(data, shape, dtype, null, false) as number;
    made.push(h);
    return h;
  },
  param(shape) {
    const h = this.t(shape);
    addon.setRequiresGrad!(h, true);
    return h;
  },
  keep(h) {
    made.push(h);
    return h;
  },
  optimizer() {
    const o = addon.optimizerCreate!('adam', [this.param([3])], { lr: 0.1 });
    optimizers.push(o);
    return o;
  },
};

function freeResult(result: unknown): void {
  const values = Array.isArray(result) ? result : [result];
  for (const v of values) {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) {
      try {
        if (!addon.isDisposed!(v)) addon.dispose!(v);
      } catch { /* a plain number (a count, an item), not a handle */ }
    }
  }
}

const threads = addon.getNumThreads!() as number;
function cleanUp(): void {
  for (const h of made.splice(0)) if (!addon.isDisposed!(h)) addon.dispose!(h);
  for (const o of optimizers.splice(0)) addon.optimizerDispose!(o);
  addon.setGradEnabled!(true);
  if (addon.getNumThreads!() !== threads) addon.setNumThreads!(threads);
}

type Outcome = { threw: false; result: unknown } | { threw: true; error: unknown };
function call(name: string, args: unknown[]): Outcome {
  try {
    const result = addon[name]!(...args);
    if (name === 'optimizerCreate') optimizers.push(result);
    else freeResult(result);
    return { threw: false, result };
  } catch (error) {
    return { threw: true, error };
  }
}

const failures: string[] = [];
let calls = 0;
const liveBefore = addon.liveTensorCount!() as number;

function check(description: string, name: string, args: unknown[], refuse: boolean): void {
  note(description);
  calls++;
  const outcome = call(name, args);
  if (outcome.threw) {
    const e = outcome.error;
    if (!(e instanceof Error) || e.message.length === 0) failures.push(`${description}: threw something that is not an Error with a message (${String(e)})`);
  } else if (refuse) {
    failures.push(`${description}: returned ${typeof outcome.result === 'number' ? 'a value' : typeof outcome.result} instead of throwing`);
  }
  cleanUp();
}

const exports = Object.keys(addon);
for (const name of exports) if (SIGNATURES[name] === undefined) failures.push(`${name}: no signature in test/torch/addon-signatures.ts`);
for (const name of Object.keys(SIGNATURES)) if (!exports.includes(name)) failures.push(`${name}: in addon-signatures.ts but not exported by the addon`);

const absent = (v: unknown) => v === null || v === undefined;
for (const name of exports) {
  const samples = SIGNATURES[name] ?? [];
  const first = samples[0] === undefined ? [] : samples[0].args(maker);
  cleanUp();
  for (const [s, signature] of samples.entries()) {
    const kinds = signature.kinds === '' ? [] : signature.kinds.split(' ');
    const firstKinds = samples[0]!.kinds.split(' ');
    note(`${name} #${s} valid call`);
    calls++;
    const valid = call(name, signature.args(maker));
    if (valid.threw) failures.push(`${name} #${s}: the valid call threw ${(valid.error as Error).message}`);
    cleanUp();
    // Also one argument too many and none at all: extra arguments are ignored, missing ones refused.
    check(`${name} #${s} with no arguments`, name, [], kinds.some((k) => mustRefuse(k, undefined)));
    const sample = signature.args(maker);
    cleanUp();
    for (let position = 0; position < kinds.length; position++) {
      // A further sample only adds the positions where it differs from the first (another kind, or
      // an argument given there and absent in the first, or the other way round).
      if (s > 0 && kinds[position] === firstKinds[position] && absent(sample[position]) === absent(first[position])) continue;
      for (const [label, value] of hostileFor(kinds[position]!)) {
        const args = signature.args(maker);
        while (args.length < kinds.length) args.push(undefined);
        const v = value();
        args[position] = v;
        check(`${name} #${s} argument ${position} (${kinds[position]}) = ${label}`, name, args, mustRefuse(kinds[position]!, v));
      }
    }
  }
}

// The optimizer's options, one field at a time.
for (const field of [...OPTIMIZER_NUMBERS, ...OPTIMIZER_FLAGS]) {
  const kind = OPTIMIZER_NUMBERS.includes(field) ? 'F?' : 'B?';
  for (const optimizerKind of ['adam', 'adamw', 'sgd']) {
    for (const [label, value] of hostileFor(kind)) {
      const v = value();
      const options: Record<string, unknown> = { lr: 0.1, [field]: v };
      check(`optimizerCreate ${optimizerKind} option ${field} = ${label}`, 'optimizerCreate',
        [optimizerKind, [maker.param([2])], options], mustRefuse(kind, v));
    }
  }
}

const liveAfter = addon.liveTensorCount!() as number;
closeSync(lastCall);
await otherThread.terminate();
process.stdout.write(JSON.stringify({ calls, exports: exports.length, failures, liveBefore, liveAfter }));
