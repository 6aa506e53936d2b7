/**
 * Nothing a user keeps is lost: every command that writes a folder refuses, at once and with exit 2,
 * a folder holding the user's script, a subfolder and the input CSV, with or without --force; --force
 * replaces only the same command's earlier output; no command writes over one of its inputs; an output
 * path that is a folder, `.`, below a file or in /proc gives one line naming it (never a temporary name).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function run(args: string[], cwd?: string) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** A small survival CSV (hand-made, 40 rows, two covariates). */
function dataCsv(): string {
  const lines = ['time,event,a,b'];
  for (let i = 0; i < 40; i++) lines.push(`${(i * 7) % 23 + 1},${i % 3 === 0 ? 0 : 1},${(i * 13) % 11},${(i * 5) % 7}`);
  return lines.join('\n') + '\n';
}

interface Project {
  root: string;
  proj: string;
  data: string;
  snapshot(): Record<string, string>;
}

/** A user's project folder: an analysis script, a subfolder with notes, and the input CSV. */
function withProject(f: (p: Project) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'spinesurv-safety-'));
  try {
    const proj = join(root, 'proj');
    mkdirSync(join(proj, 'notes'), { recursive: true });
    writeFileSync(join(proj, 'analysis.R'), 'library(survival)\n');
    writeFileSync(join(proj, 'notes', 'todo.txt'), 'check the fit\n');
    const data = join(proj, 'data.csv');
    writeFileSync(data, dataCsv());
    const snapshot = () => {
      const out: Record<string, string> = {};
      const walk = (d: string, rel: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
          else out[rel + e.name] = readFileSync(join(d, e.name), 'utf8');
        }
      };
      walk(proj, '');
      return out;
    };
    f({ root, proj, data, snapshot });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const data = ['--time', 'time', '--event', 'event', '--covariates', 'a,b'];

/** Every folder-writing command, as it would be run with --out proj (the folder holding its input). */
function folderCommands(p: Project): Record<string, string[]> {
  return {
    'cox --out': ['cox', '--data', p.data, ...data, '--out', p.proj],
    'deepsurv fit --out': ['deepsurv', 'fit', '--data', p.data, ...data, '--epochs', '1', '--out', p.proj],
    'deepsurv search --out': ['deepsurv', 'search', '--data', p.data, ...data, '--trials', '1', '--epochs', '1', '--out', p.proj],
    'synth --out': ['synth', '--out', p.proj, '--patients', '20', '--size', '64', '--no-images'],
    'study --out': ['study', '--cohort', join(p.root, 'no-cohort'), '--out', p.proj],
  };
}

test('every folder-writing command refuses a user folder at once (exit 2), with and without --force, and loses nothing', () => {
  withProject((p) => {
    const before = p.snapshot();
    for (const [what, args] of Object.entries(folderCommands(p))) {
      for (const extra of [[], ['--force']]) {
        const r = run([...args, ...extra]);
        assert.equal(r.code, 2, `${what} ${extra.join(' ')}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${what}: one line, got ${r.stderr}`);
        assert.match(r.stderr, /proj: (holds .*data\.csv, an input|is not empty and was not written by spinesurv)/, what);
        assert.doesNotMatch(r.stderr, /tmp-\d/, what);
        assert.deepEqual(p.snapshot(), before, `${what} ${extra.join(' ')} changed the folder`);
      }
    }
  });
});

test('a user folder that does not hold the input is refused too, with --force, and nothing in it is lost', () => {
  withProject((p) => {
    const input = join(p.root, 'input.csv');
    writeFileSync(input, dataCsv());
    rmSync(p.data);
    const before = p.snapshot();
    const commands = folderCommands({ ...p, data: input });
    for (const [what, args] of Object.entries(commands)) {
      for (const extra of [[], ['--force']]) {
        const r = run([...args, ...extra]);
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assert.match(r.stderr, /proj: is not empty and was not written by spinesurv; nothing there is replaced/, what);
        assert.ok(r.ms < 15000, `${what}: refused at once, not after the work (${r.ms} ms)`);
        assert.deepEqual(p.snapshot(), before, what);
      }
    }
  });
});

test('demo refuses at once when OUT/cohort or OUT/study holds a user file, and keeps it', () => {
  withProject((p) => {
    for (const sub of ['cohort', 'study']) {
      const out = join(p.root, `demo-${sub}`);
      mkdirSync(join(out, sub), { recursive: true });
      writeFileSync(join(out, sub, 'mine.txt'), 'keep me\n');
      const r = run(['demo', '--out', out, '--patients', '20', '--size', '64']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${sub}: is not empty and was not written by spinesurv`));
      assert.equal(readFileSync(join(out, sub, 'mine.txt'), 'utf8'), 'keep me\n');
      assert.ok(!existsSync(join(out, sub === 'cohort' ? 'study' : 'cohort', 'cohort.csv')), 'nothing generated before the refusal');
    }
  });
});

test('--force replaces only the same command\'s own earlier output, and never a file added to it', () => {
  withProject((p) => {
    const model = join(p.root, 'model');
    assert.equal(run(['cox', '--data', p.data, ...data, '--out', model]).code, 0);
    const again = run(['cox', '--data', p.data, ...data, '--out', model]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /model: holds an earlier output of spinesurv cox; pass --force to replace it/);
    assert.equal(run(['cox', '--data', p.data, ...data, '--out', model, '--force']).code, 0);
    assert.ok(existsSync(join(model, 'model.json')));
    // A file the user put into the model folder stops --force, and stays.
    writeFileSync(join(model, 'README.txt'), 'my notes\n');
    const kept = run(['cox', '--data', p.data, ...data, '--out', model, '--force']);
    assert.equal(kept.code, 2);
    assert.match(kept.stderr, /model: holds README\.txt, not written by spinesurv/);
    assert.equal(readFileSync(join(model, 'README.txt'), 'utf8'), 'my notes\n');
    rmSync(join(model, 'README.txt'));
    // So does an empty folder the user made there.
    mkdirSync(join(model, 'plots'));
    assert.equal(run(['cox', '--data', p.data, ...data, '--out', model, '--force']).code, 2);
    assert.ok(existsSync(join(model, 'plots')));
    rmSync(join(model, 'plots'), { recursive: true });
    // Another command's output is not replaced, even with --force: synth's cohort is not synth's to lose to cox.
    const cohort = join(p.root, 'cohort');
    assert.equal(run(['synth', '--out', cohort, '--patients', '20', '--size', '64', '--no-images']).code, 0);
    const other = run(['cox', '--data', p.data, ...data, '--out', cohort, '--force']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /cohort: holds the output of spinesurv synth, not of spinesurv cox; nothing there is replaced/);
    assert.ok(existsSync(join(cohort, 'cohort.csv')));
    const synthAgain = run(['synth', '--out', cohort, '--patients', '20', '--size', '64', '--no-images']);
    assert.equal(synthAgain.code, 2);
    assert.match(synthAgain.stderr, /pass --force/);
    assert.equal(run(['synth', '--out', cohort, '--patients', '20', '--size', '64', '--no-images', '--force']).code, 0);
  });
});

test('no command writes over one of its inputs: predict --out equal to --data (also spelled differently), dicom png OUT equal to FILE', () => {
  withProject((p) => {
    const model = join(p.root, 'model');
    assert.equal(run(['cox', '--data', p.data, ...data, '--out', model]).code, 0);
    const before = readFileSync(p.data, 'utf8');
    for (const out of [p.data, join(p.proj, '.', 'data.csv')]) {
      const r = run(['predict', '--model', model, '--data', p.data, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /data\.csv: is also an input of this command/);
    }
    const relative = run(['predict', '--model', model, '--data', 'data.csv', '--out', './data.csv'], p.proj);
    assert.equal(relative.code, 2);
    assert.equal(readFileSync(p.data, 'utf8'), before);
    const intoModel = run(['predict', '--model', model, '--data', p.data, '--out', model]);
    assert.equal(intoModel.code, 2);
    assert.match(intoModel.stderr, /model: is also an input of this command/);
    const scan = join(p.proj, 'scan.png');
    writeFileSync(scan, 'a radiograph');
    const png = run(['dicom', 'png', scan, join(p.proj, '.', 'scan.png')]);
    assert.equal(png.code, 2);
    assert.match(png.stderr, /scan\.png: is also an input of this command/);
    assert.equal(readFileSync(scan, 'utf8'), 'a radiograph');
    assert.equal(readFileSync(p.data, 'utf8'), before);
  });
});

test('an output path that is a folder, ".", below a file, or in /proc gives one line naming it and exit 2', () => {
  withProject((p) => {
    const model = join(p.root, 'model');
    assert.equal(run(['cox', '--data', p.data, ...data, '--out', model]).code, 0);
    const predict = (out: string, cwd?: string) => run(['predict', '--model', model, '--data', p.data, '--out', out], cwd);
    const cases: Array<[string, ReturnType<typeof run>, RegExp]> = [
      ['folder', predict(join(p.proj, 'notes')), /notes: is a folder; name a file for the output/],
      ['.', predict('.', join(p.proj, 'notes')), /^spinesurv predict: \.: is a folder; name a file for the output$/],
      ['folder holding the input', predict(p.proj), /proj: holds .*data\.csv, an input of this command/],
      ['below a file', predict(join(p.data, 'out.csv')), /data\.csv\/out\.csv: a part of this path is a file, not a folder/],
      ['/proc', predict('/proc/spinesurv-out.csv'), /\/proc\/spinesurv-out\.csv: (cannot be created here|cannot be written)/],
      ['cox --out below a file', run(['cox', '--data', p.data, ...data, '--out', join(p.data, 'm')]), /data\.csv\/m: (a part of this path is a file|exists and is not a folder)/],
      ['cox --out .', run(['cox', '--data', join(p.proj, 'data.csv'), ...data, '--out', '.'], p.proj), /\.: holds .*data\.csv, an input of this command/],
      ['cox --out /proc/x', run(['cox', '--data', p.data, ...data, '--out', '/proc/spinesurv-model']), /\/proc\/spinesurv-model: /],
      ['synth --out below a file', run(['synth', '--out', join(p.data, 'c'), '--patients', '20', '--size', '64', '--no-images']), /data\.csv\/c: /],
    ];
    for (const [what, r, pattern] of cases) {
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
      assert.match(r.stderr.trim(), pattern, what);
      assert.doesNotMatch(r.stderr, /tmp-\d|EISDIR|EBUSY|ENOENT|    at /, what);
    }
  });
});
