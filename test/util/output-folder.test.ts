/**
 * The ownership rule of output folders, hand-worked on small folders: what is accepted, what is
 * refused and why, and that a refusal leaves every file where it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic } from '../../src/util/atomic-write.js';
import { checkOutputFolder, listFiles, OUTPUT_MARKER, refuseOverwritingInput } from '../../src/util/output-folder.js';

function withDir(f: (dir: string) => Promise<void> | void): Promise<void> | void {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-of-'));
  const done = () => rmSync(dir, { recursive: true, force: true });
  try {
    const r = f(dir);
    if (r instanceof Promise) return r.finally(done);
    done();
  } catch (error) {
    done();
    throw error;
  }
}

test('missing, empty, own with force: accepted; own without force, another command\'s, a forged or foreign folder: refused', () =>
  withDir(async (dir) => {
    const out = join(dir, 'out');
    assert.equal(checkOutputFolder(out, { createdBy: 'spinesurv cox' }), 'new');
    mkdirSync(out);
    assert.equal(checkOutputFolder(out, { createdBy: 'spinesurv cox' }), 'empty');
    await writeDirAtomic(out, (tmp) => writeFileSync(join(tmp, 'model.json'), '{}'), { createdBy: 'spinesurv cox' });
    assert.deepEqual(JSON.parse(readFileSync(join(out, OUTPUT_MARKER), 'utf8')), { created_by: 'spinesurv cox', files: ['model.json'] });
    assert.throws(() => checkOutputFolder(out, { createdBy: 'spinesurv cox' }), /holds an earlier output of spinesurv cox; pass --force/);
    assert.equal(checkOutputFolder(out, { createdBy: 'spinesurv cox', force: true }), 'replace');
    assert.throws(() => checkOutputFolder(out, { createdBy: 'spinesurv study', force: true }), /holds the output of spinesurv cox, not of spinesurv study/);
    for (const forged of ['{"files": []}', '[]', 'null', '{"created_by": "spinesurv cox", "files": [1]}', 'not json']) {
      writeFileSync(join(out, OUTPUT_MARKER), forged);
      assert.throws(() => checkOutputFolder(out, { createdBy: 'spinesurv cox', force: true }), /was not written by spinesurv/, forged);
    }
  }));

test('a file, an empty folder or a link the marker does not list stops --force, and the replacement keeps nothing of ours only', () =>
  withDir(async (dir) => {
    const out = join(dir, 'out');
    const fill = (tmp: string) => {
      mkdirSync(join(tmp, 'sub'));
      writeFileSync(join(tmp, 'sub', 'a.txt'), 'a');
    };
    await writeDirAtomic(out, fill, { createdBy: 'spinesurv synth' });
    for (const [what, add, remove] of [
      ['file', () => writeFileSync(join(out, 'sub', 'mine.R'), 'x'), () => rmSync(join(out, 'sub', 'mine.R'))],
      ['empty folder', () => mkdirSync(join(out, 'plots')), () => rmSync(join(out, 'plots'), { recursive: true })],
      ['link', () => symlinkSync(dir, join(out, 'link')), () => rmSync(join(out, 'link'))],
    ] as const) {
      add();
      const before = listFiles(out);
      await assert.rejects(writeDirAtomic(out, fill, { createdBy: 'spinesurv synth', force: true }), /not written by spinesurv; move/, what);
      assert.deepEqual(listFiles(out), before, what);
      remove();
    }
    await writeDirAtomic(out, fill, { createdBy: 'spinesurv synth', force: true });
    assert.deepEqual(readdirSync(dir).sort(), ['out'], 'no temporary or old folder is left beside it');
  }));

test('an output equal to an input, however spelled, or a folder holding one, is refused', () =>
  withDir((dir) => {
    const input = join(dir, 'data.csv');
    writeFileSync(input, 'x\n');
    symlinkSync(input, join(dir, 'alias.csv'));
    assert.throws(() => refuseOverwritingInput(join(dir, '.', 'data.csv'), [input]), /is also an input/);
    assert.throws(() => refuseOverwritingInput(join(dir, 'alias.csv'), [input]), /is also an input/);
    assert.throws(() => refuseOverwritingInput(dir, [input], 'output folder'), /holds .*data\.csv, an input of this command; choose another output folder path/);
    assert.doesNotThrow(() => refuseOverwritingInput(join(dir, 'other.csv'), [input]));
    assert.doesNotThrow(() => refuseOverwritingInput(join(dir, 'data.csv.out'), [input]));
  }));
