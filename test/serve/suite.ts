/**
 * The serve suite, run against SQLite (serve-sqlite.test.ts) and PostgreSQL (serve-postgres.test.ts):
 * dcmtk's echoscu and storescu against a real `spinesurv serve` process, dcmtk's dcmdump as the
 * reference for what was stored, and fetch for HTTP. No mock of the network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { riskOf } from '../../src/serve/backend.js';
import { startServe as startServeInProcess } from '../../src/serve/serve.js';
import { writeDicom } from '../../src/imaging/dicom/dicom-writer.js';
import {
  acknowledged, bin, dcmtkIdentity, echoscu, freePort, getJson, radiographs, results, startServe, storescu, storescuAsync, tempDir, tinyImageModel, waitFor,
  type ResultJson, type ServeProcess,
} from './helpers.js';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** Extra serve arguments (--db URL) for a store; a fresh database each call. */
  args(label: string): Promise<string[]>;
  /** Number of score rows per SOP Instance UID. */
  scoreCounts(store: string, args: string[]): Promise<Map<string, number>>;
  /** Runs one statement ($1.. placeholders on PostgreSQL, ? on SQLite: give none). */
  exec(store: string, args: string[], sql: string): Promise<void>;
  /** Deletes instances' rows (and scores): the state a crash between the file's rename and the row's insert leaves. */
  deleteRows(store: string, args: string[], uids: string[]): Promise<void>;
  close(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  return {
    kind: 'sqlite',
    args: async () => [],
    scoreCounts: async (store) => {
      const db = new Sqlite(join(store, 'serve.sqlite'), { readonly: true });
      try {
        const rows = db.prepare('SELECT sop_instance_uid AS uid, COUNT(*) AS n FROM serve_scores GROUP BY sop_instance_uid').all() as { uid: string; n: number }[];
        return new Map(rows.map((r) => [r.uid, Number(r.n)]));
      } finally {
        db.close();
      }
    },
    exec: async (store, _args, sql) => {
      const db = new Sqlite(join(store, 'serve.sqlite'));
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    deleteRows: async (store, _args, uids) => {
      const db = new Sqlite(join(store, 'serve.sqlite'));
      try {
        for (const uid of uids) {
          db.prepare('DELETE FROM serve_instances WHERE sop_instance_uid = ?').run(uid);
          db.prepare('DELETE FROM serve_scores WHERE sop_instance_uid = ?').run(uid);
        }
      } finally {
        db.close();
      }
    },
    close: async () => undefined,
  };
}

/** PostgreSQL: one database per store on a shared throwaway server. */
export function postgresDatabase(url: string, stop: () => void): TestDatabase {
  let n = 0;
  return {
    kind: 'postgres',
    args: async () => {
      const name = `serve_${process.pid}_${++n}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      return ['--db', u.toString()];
    },
    scoreCounts: async (_store, args) => {
      const client = new pg.Client({ connectionString: args[args.indexOf('--db') + 1] });
      await client.connect();
      try {
        const r = await client.query('SELECT sop_instance_uid AS uid, COUNT(*) AS n FROM serve_scores GROUP BY sop_instance_uid');
        return new Map(r.rows.map((x: { uid: string; n: string }) => [x.uid, Number(x.n)]));
      } finally {
        await client.end();
      }
    },
    exec: async (_store, args, sql) => {
      const client = new pg.Client({ connectionString: args[args.indexOf('--db') + 1] });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    deleteRows: async (_store, args, uids) => {
      const client = new pg.Client({ connectionString: args[args.indexOf('--db') + 1] });
      await client.connect();
      try {
        await client.query('DELETE FROM serve_instances WHERE sop_instance_uid = ANY($1)', [uids]);
        await client.query('DELETE FROM serve_scores WHERE sop_instance_uid = ANY($1)', [uids]);
      } finally {
        await client.end();
      }
    },
    close: async () => stop(),
  };
}

const FINAL = new Set(['scored', 'flagged', 'failed']);

export function serveSuite(makeDatabase: () => Promise<TestDatabase>): void {
  let dir: string;
  let model: string;
  let clinicalModel: string;
  let images: string[];
  let cohortCsv: string;
  let database: TestDatabase;

  before(async () => {
    dir = tempDir('serve');
    model = tinyImageModel(dir);
    // The same image model with age and sex beside the image (clinical model 1).
    clinicalModel = tinyImageModel(dir, { clinical: 1 });
    images = radiographs(join(dir, 'send'), 100, 11);
    cohortCsv = join(dir, 'send', 'cohort.csv');
    database = await makeDatabase();
  });
  after(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('echoscu and storescu: stored as sent (dcmdump), scored, /api/results as CLI.md; a keypoint correction re-scores', { timeout: 180_000 }, async () => {
    const store = join(dir, 'store-basic');
    const args = ['--model', model, '--store', store, ...(await database.args('basic'))];
    const serve = await startServe(args);
    try {
      assert.equal(echoscu(serve.dicomPort).status, 0, 'echoscu succeeds');
      const sent = images.slice(0, 4);
      const run = storescu(serve.dicomPort, sent);
      assert.deepEqual(acknowledged(run.output).success, sent, run.output);
      await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status)).length === 4, 60_000, 'four results');
      const list = await results(serve.httpUrl);

      // Stored correctly: dcmtk reads each stored file as the same SOP instance with the same pixel data.
      const stored = readdirSync(join(store, 'images')).filter((f) => f.endsWith('.dcm'));
      assert.equal(stored.length, 4);
      assert.ok(stored.every((f) => /^[0-9a-f]{40}\.dcm$/.test(f)), 'file names are hashes');
      const byUid = new Map(stored.map((f) => {
        const id = dcmtkIdentity(join(store, 'images', f));
        return [id.sopInstanceUid, id.pixelSha256];
      }));
      for (const file of sent) {
        const id = dcmtkIdentity(file);
        assert.equal(byUid.get(id.sopInstanceUid), id.pixelSha256, `${file}: stored pixel data as sent`);
        assert.ok(list.some((r) => r.sop_instance_uid === id.sopInstanceUid));
      }

      // CLI.md's JSON of /api/results.
      for (const r of list) {
        for (const key of ['sop_instance_uid', 'status', 'risk', 'surv', 'flags', 'received_at', 'scored_at']) assert.ok(key in r, `result has ${key}`);
        assert.ok(Array.isArray(r.flags));
        assert.ok(!Number.isNaN(Date.parse(r.received_at)));
        if (r.status === 'scored') {
          assert.equal(typeof r.risk, 'number');
          assert.deepEqual(Object.keys(r.surv!).sort(), ['1', '3', '5']);
          for (const v of Object.values(r.surv!)) assert.ok(v > 0 && v < 1);
          assert.ok(r.surv!['1'] >= r.surv!['3'] && r.surv!['3'] >= r.surv!['5'], 'survival falls with time');
        } else {
          assert.equal(r.risk, null);
        }
      }
      assert.deepEqual((await getJson<unknown>(`${serve.httpUrl}/api/health`)).body, { ok: true });
      // Each score is the one `spinesurv predict --image` gives for the file that was sent.
      for (const file of sent) {
        const uid = dcmtkIdentity(file).sopInstanceUid;
        const r = list.find((x) => x.sop_instance_uid === uid)!;
        const predicted = spawnSync(process.execPath, [bin, 'predict', '--model', model, '--image', file, '--json'], { encoding: 'utf8' });
        if (r.status === 'scored') {
          assert.equal(predicted.status, 0, predicted.stderr);
          assert.equal(r.risk, (JSON.parse(predicted.stdout) as { risk: number }).risk);
        } else {
          assert.equal(r.status, 'flagged');
          assert.equal(predicted.status, 2, 'predict refuses the flagged radiograph too');
          assert.ok(r.flags.length > 0);
        }
      }
      // No patient name or ID (the synthetic ones are SYNTHETIC^SYNnnnn) in the log or the results.
      assert.ok(!/SYN\d{4}/.test(serve.stderr()), 'no patient ID in the log');
      assert.ok(!/SYN\d{4}/.test(JSON.stringify(list)), 'no patient ID in /api/results without --show-phi');

      // A correction: the five points moved down by 3 px re-score the image; the prediction is kept beside it.
      const scored = list.find((r) => r.status === 'scored');
      assert.ok(scored !== undefined, 'at least one of four scored');
      const viewer = await getJson<{ sop_instance_uid: string }>(`${serve.httpUrl}/api/results/${scored.sop_instance_uid}`);
      assert.equal(viewer.status, 200);
      const counts0 = await database.scoreCounts(store, args);
      assert.equal(counts0.get(scored.sop_instance_uid), 1);
      // The predicted points come from the database row (the API reports only whether a correction exists).
      const predicted = await predictedKeypoints(database, store, args, scored.sop_instance_uid);
      const moved = predicted.map((v, i) => (i % 2 === 1 ? v + 3 : v));
      const put = await fetch(`${serve.httpUrl}/api/results/${scored.sop_instance_uid}/keypoints`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keypoints: moved, by: 'test reader' }),
      });
      assert.equal(put.status, 200);
      const after = (await put.json()) as ResultJson;
      assert.equal(after.keypoints_corrected, true);
      assert.notEqual(after.risk, scored.risk, 'moved keypoints change the risk');
      assert.notEqual(after.scored_at, scored.scored_at);
      assert.equal((await database.scoreCounts(store, args)).get(scored.sop_instance_uid), 2, 'one score per keypoints source');
      // A second correction: the latest is current, and the history keeps both, oldest first, with who and when.
      const movedAgain = predicted.map((v, i) => (i % 2 === 0 ? v + 2 : v));
      const second = await fetch(`${serve.httpUrl}/api/results/${scored.sop_instance_uid}/keypoints`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keypoints: movedAgain, by: 'second reader' }),
      });
      assert.equal(second.status, 200);
      const study = (await getJson<{ correctedKeypoints: { keypoints: number[]; by: string }; changes: { kind: string; value: number[]; by: string; at: string }[] }>(
        `${serve.httpUrl}/api/viewer/images/${scored.sop_instance_uid}`)).body;
      assert.deepEqual(study.correctedKeypoints.keypoints, movedAgain);
      assert.equal(study.correctedKeypoints.by, 'second reader');
      assert.deepEqual(study.changes.map((c) => [c.kind, c.by, c.value]), [['keypoints', 'test reader', moved], ['keypoints', 'second reader', movedAgain]]);
      assert.ok(study.changes[0].at <= study.changes[1].at && !Number.isNaN(Date.parse(study.changes[0].at)), 'each change has its time');
      // The same instance sent again: acknowledged, no second row, not scored again.
      assert.deepEqual(acknowledged(storescu(serve.dicomPort, [sent[0]]).output).success, [sent[0]]);
      assert.equal((await results(serve.httpUrl)).length, 4);
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });

  test('--scoring-threads: two threads give each radiograph the risk one thread gives, which is predict --image\'s; 0 is a usage error', { timeout: 240_000 }, async () => {
    const sent = images.slice(80, 86);
    const scoredWith = async (threads: number): Promise<Map<string, ResultJson>> => {
      const store = join(dir, `store-threads-${threads}`);
      const serve = await startServe(['--model', model, '--store', store, '--scoring-threads', String(threads), ...(await database.args(`threads${threads}`))]);
      try {
        assert.match(serve.stderr(), new RegExp(`score: ${threads} scoring thread\\(s\\)`));
        // One association per image, all at once: several arrive while the threads are busy.
        const runs = await Promise.all(sent.map((f) => storescuAsync(serve.dicomPort, [f])));
        for (const r of runs) assert.equal(acknowledged(r.output).success.length, 1, r.output);
        await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status)).length === sent.length, 120_000, `${sent.length} results`);
        return new Map((await results(serve.httpUrl)).map((r) => [r.sop_instance_uid, r]));
      } finally {
        assert.equal(await serve.stop(), 0, serve.stderr());
      }
    };
    const one = await scoredWith(1);
    const two = await scoredWith(2);
    let scored = 0;
    for (const file of sent) {
      const uid = dcmtkIdentity(file).sopInstanceUid;
      const a = one.get(uid)!;
      const b = two.get(uid)!;
      assert.deepEqual([b.status, b.risk, b.surv, b.flags], [a.status, a.risk, a.surv, a.flags], `${file}: the same result on two threads as on one`);
      const predicted = spawnSync(process.execPath, [bin, 'predict', '--model', model, '--image', file, '--json'], { encoding: 'utf8' });
      if (b.status === 'scored') {
        scored++;
        assert.equal(predicted.status, 0, predicted.stderr);
        assert.equal(b.risk, (JSON.parse(predicted.stdout) as { risk: number }).risk, `${file}: predict --image's risk`);
      } else {
        assert.equal(predicted.status, 2, `${file}: predict refuses it too`);
      }
    }
    assert.ok(scored >= 2, `at least two of ${sent.length} scored (${scored})`);
    const zero = spawnSync(process.execPath, [bin, 'serve', '--model', model, '--store', join(dir, 'store-threads-0'), '--scoring-threads', '0', '--dicom-port', '0', '--http-port', '0'], { encoding: 'utf8' });
    assert.equal(zero.status, 2);
    assert.match(zero.stderr, /--scoring-threads must be an integer >= 1, got 0/);
  });

  test('refusals: wrong called AE, unknown caller, corrupt dataset, a path in a UID, a body over the limit; the server keeps serving', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-refusals');
    const serve = await startServe(['--model', model, '--store', store, '--allowed-callers', 'TESTSCU,PACS', ...(await database.args('refusals'))]);
    try {
      const good = images[10];
      const wrongCalled = storescu(serve.dicomPort, [good], { calledAe: 'SOMEONE' });
      assert.notEqual(wrongCalled.status, 0);
      assert.match(wrongCalled.output, /Called AE Title Not Recognized/);
      const unknownCaller = storescu(serve.dicomPort, [good], { callingAe: 'INTRUDER' });
      assert.notEqual(unknownCaller.status, 0);
      assert.match(unknownCaller.output, /Calling AE Title Not Recognized/);
      // The server's log line may arrive just after storescu has ended.
      await waitFor(() => /called AE title "SOMEONE" is not ours/.test(serve.stderr()), 5000, 'the wrong called AE logged');
      await waitFor(() => /association from "INTRUDER" refused: calling AE title not in --allowed-callers/.test(serve.stderr()), 5000, 'the unknown caller logged');

      // Corrupt: Rows 0 (dcmodify); a path in the SOP Instance UID. Each refused by name, then the good one stored.
      const corrupt = join(dir, 'corrupt-rows.dcm');
      copyFileSync(images[11], corrupt);
      assert.equal(spawnSync('dcmodify', ['-nb', '-m', '(0028,0010)=0', corrupt]).status, 0);
      const traversal = join(dir, 'uid-path.dcm');
      copyFileSync(images[12], traversal);
      assert.equal(spawnSync('dcmodify', ['-nb', '-m', '(0008,0018)=1.2.3/../../../etc/passwd', traversal]).status, 0);
      const run = storescu(serve.dicomPort, [corrupt, traversal, good]);
      const ack = acknowledged(run.output);
      assert.deepEqual(ack.refused, [corrupt, traversal], run.output);
      assert.deepEqual(ack.success, [good], run.output);
      await waitFor(() => /refused: instance [0-9a-f]{12}: Rows x Columns is 0x/.test(serve.stderr()), 5000, 'the corrupt dataset logged');
      // Named by its hash tag and the first wrong character, never echoed (dcmodify keeps what it can of the path).
      await waitFor(() => /refused: Affected SOP Instance UID [0-9a-f]{12} is not a valid UID \(digits and dots only\): character \d+ is /.test(serve.stderr()), 5000, 'the path in a UID logged');
      assert.ok(!/passwd|\.\.\//.test(serve.stderr()), 'the UID is not in the log');
      assert.equal(readdirSync(join(store, 'images')).filter((f) => f.endsWith('.dcm')).length, 1, 'only the good image is stored');
      assert.ok(!existsSync(join(dir, 'etc')) && !readdirSync(store).some((f) => f.includes('passwd')));

      // HTTP: a body over --max-upload-mb (1 MB) is 413; a bad UID in a path is 400.
      const uid = dcmtkIdentity(good).sopInstanceUid;
      const big = await fetch(`${serve.httpUrl}/api/results/${uid}/clinical`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { note: 'x'.repeat(2 * 1024 * 1024) }, by: 'x' }),
      });
      assert.equal(big.status, 413);
      assert.equal((await fetch(`${serve.httpUrl}/api/results/..%2F..%2Fetc%2Fpasswd`)).status, 400);
      assert.equal(echoscu(serve.dicomPort).status, 0, 'still serving DICOM');
      await waitFor(async () => (await results(serve.httpUrl)).every((r) => FINAL.has(r.status)), 30_000, 'the good image scored');

      // A store that cannot be written (the images folder replaced by a file): a failure status, not success.
      const imagesDir = join(store, 'images');
      renameSync(imagesDir, `${imagesDir}.moved`);
      writeFileSync(imagesDir, 'not a folder');
      const blocked = storescu(serve.dicomPort, [images[13]]);
      assert.deepEqual(acknowledged(blocked.output).refused, [images[13]], blocked.output);
      assert.match(blocked.output, /Received Store Response \(.*(OutOfResources|A700)/i);
      await waitFor(() => /C-STORE from "TESTSCU" failed: instance [0-9a-f]{12}: could not be stored \(ENOTDIR\)/.test(serve.stderr()), 5000, 'the write failure logged');
      rmSync(imagesDir);
      renameSync(`${imagesDir}.moved`, imagesDir);
      assert.deepEqual(acknowledged(storescu(serve.dicomPort, [images[13]]).output).success, [images[13]], 'stored once the folder is back');
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });

  test('kill -9 during four parallel storescu loads, then a restart: every acknowledged image is on disk and scored exactly once', { timeout: 240_000 }, async () => {
    const store = join(dir, 'store-kill');
    const args = ['--model', model, '--store', store, ...(await database.args('kill'))];
    const serve = await startServe(args);
    const load = images.slice(0, 100);
    const quarters = [0, 1, 2, 3].map((q) => load.filter((_, i) => i % 4 === q));
    const runs = quarters.map((files) => storescuAsync(serve.dicomPort, files));
    await waitFor(async () => (await results(serve.httpUrl)).length >= 30, 60_000, '30 images received');
    serve.child.kill('SIGKILL');
    await serve.exited;
    const logs = await Promise.all(runs);
    const acked = logs.flatMap((r) => acknowledged(r.output).success);
    // A row is written just before its ack goes out, so a few of the 30 may not have reached their sender.
    assert.ok(acked.length >= 20 && acked.length < 100, `killed mid-load (${acked.length} of 100 acknowledged)`);

    const restarted = await startServe(args);
    let list: ResultJson[] = [];
    try {
      const uids = acked.map((f) => dcmtkIdentity(f).sopInstanceUid);
      await waitFor(async () => {
        list = await results(restarted.httpUrl);
        const done = new Set(list.filter((r) => FINAL.has(r.status)).map((r) => r.sop_instance_uid));
        return uids.every((u) => done.has(u));
      }, 120_000, 'every acknowledged image scored after the restart');
      const onDisk = new Set(readdirSync(join(store, 'images')).filter((f) => f.endsWith('.dcm')).map((f) => dcmtkIdentity(join(store, 'images', f)).sopInstanceUid));
      for (const u of uids) assert.ok(onDisk.has(u), 'acknowledged image on disk');
      // Send everything again: the rest is stored, nothing is stored or scored twice.
      const again = storescu(restarted.dicomPort, load);
      assert.equal(acknowledged(again.output).success.length, 100, again.output);
      await waitFor(async () => (list = await results(restarted.httpUrl)).length === 100 && list.every((r) => FINAL.has(r.status)), 120_000, 'all 100 scored');
    } finally {
      assert.equal(await restarted.stop(), 0, restarted.stderr());
    }
    const counts = await database.scoreCounts(store, args);
    assert.equal(counts.size, 100);
    for (const [uid, n] of counts) assert.equal(n, 1, `instance ${uid} scored once`);
    assert.equal(new Set(list.map((r) => r.sop_instance_uid)).size, 100, 'one row per instance');
  });

  test('access: another --host without a token is refused; with a token, a request without it gets 401; a DICOM dataset over --max-dicom-mb is refused', { timeout: 60_000 }, async () => {
    const store = join(dir, 'store-token');
    const open = spawnSync(process.execPath, [bin, 'serve', '--model', model, '--store', store, '--host', '0.0.0.0', '--dicom-port', '0', '--http-port', '0'], { encoding: 'utf8', env: { ...process.env, SPINESURV_TOKEN: '' } });
    assert.equal(open.status, 2);
    assert.match(open.stderr, /--host 0\.0\.0\.0: .*token/);
    // --store must be new, empty or a serve store: a user's folder is refused untouched.
    const users = join(dir, 'users-folder');
    mkdirSync(users);
    writeFileSync(join(users, 'notes.txt'), 'mine');
    const refused = spawnSync(process.execPath, [bin, 'serve', '--model', model, '--store', users, '--dicom-port', '0', '--http-port', '0'], { encoding: 'utf8' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /users-folder: is not empty and is not a spinesurv serve store/);
    assert.deepEqual(readdirSync(users), ['notes.txt']);
    const token = 'a-long-enough-test-token';
    const serve = await startServe(['--model', model, '--store', store, '--max-dicom-mb', '0.05', ...(await database.args('token'))], { ...process.env, SPINESURV_TOKEN: token });
    try {
      assert.equal((await fetch(`${serve.httpUrl}/api/results`)).status, 401);
      assert.equal((await fetch(`${serve.httpUrl}/api/health`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
      const ok = await getJson<unknown>(`${serve.httpUrl}/api/results`, { authorization: `Bearer ${token}` });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, []);
      // The viewer's pages carry no patient data and load without the header (they send the token on each /api call).
      const page = await fetch(`${serve.httpUrl}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.equal((await fetch(`${serve.httpUrl}/api/viewer/worklist`)).status, 401);
      assert.equal((await fetch(`${serve.httpUrl}/api/viewer/worklist`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.ok(!serve.stderr().includes(token), 'the token is never logged');

      // A DICOM dataset over --max-dicom-mb (a 256 px radiograph is about 0.1 MB): refused, logged, not stored.
      const huge = storescu(serve.dicomPort, [images[14]]);
      assert.deepEqual(acknowledged(huge.output).refused, [images[14]], huge.output);
      await waitFor(() => /refused: dataset of 0\.1\d MB is larger than --max-dicom-mb \(0\.05 MB\)/.test(serve.stderr()), 5000, 'the large dataset logged');
      assert.equal(readdirSync(join(store, 'images')).length, 0);
      assert.equal(echoscu(serve.dicomPort).status, 0, 'still serving');
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });

  test('transfer syntaxes: implicit and big endian, deflate, JPEG baseline, extended and lossless, JPEG-LS, RLE and JPEG 2000 are stored as sent (dcmdump) and lossless ones score as the uncompressed original; a chest or AP header is kept, flagged', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-syntaxes');
    const serve = await startServe(['--model', model, '--store', store, ...(await database.args('syntaxes'))]);
    try {
      const original = images[20];
      const variants: Array<{ make: string[]; propose: string; name: string }> = [
        { make: ['dcmcjpeg', '+e1'], propose: '-xs', name: 'jpeg-lossless-sv1' },
        { make: ['dcmcjpeg', '+ee'], propose: '-xx', name: 'jpeg-extended-12bit' },
        { make: ['dcmcjpls'], propose: '-xt', name: 'jpeg-ls' },
        { make: ['dcmcrle'], propose: '-xr', name: 'rle' },
        { make: ['dcmconv', '+td'], propose: '-xd', name: 'deflate' },
        { make: ['dcmconv', '+ti'], propose: '-xi', name: 'implicit-little' },
        { make: ['dcmconv', '+tb'], propose: '-xb', name: 'explicit-big' },
        { make: ['dcmcjpeg', '+eb'], propose: '-xy', name: 'jpeg-baseline-8bit' },
        { make: ['jpeg2000'], propose: '-xv', name: 'jpeg2000-lossless' },
      ];
      const lossy = new Set(['jpeg-extended-12bit', 'jpeg-baseline-8bit']);
      const uids: string[] = [];
      for (const v of variants) {
        const file = join(dir, `${v.name}.dcm`);
        if (v.make[0] === 'jpeg2000') jpeg2000Copy(original, file);
        else assert.equal(spawnSync(v.make[0], [...v.make.slice(1), original, file]).status, 0, v.make.join(' '));
        // A new SOP Instance UID for each copy (dcmodify -gin), so that each is its own instance.
        assert.equal(spawnSync('dcmodify', ['-nb', '-gin', file]).status, 0);
        // -R: propose only this syntax, so the image travels compressed.
        const run = storescu(serve.dicomPort, [file], { extra: ['-R', v.propose] });
        assert.deepEqual(acknowledged(run.output).success, [file], run.output);
        const sent = dcmtkIdentity(file);
        uids.push(sent.sopInstanceUid);
        const stored = readdirSync(join(store, 'images')).filter((f) => f.endsWith('.dcm')).map((f) => join(store, 'images', f));
        const match = stored.map((f) => ({ f, id: dcmtkIdentity(f) })).find((x) => x.id.sopInstanceUid === sent.sopInstanceUid);
        assert.ok(match !== undefined, `${v.name}: stored`);
        assert.equal(match.id.pixelSha256, sent.pixelSha256, `${v.name}: pixel data as sent`);
        const ts = spawnSync('dcmdump', ['+P', '0002,0010', match.f], { encoding: 'utf8' }).stdout;
        const sentTs = spawnSync('dcmdump', ['+P', '0002,0010', file], { encoding: 'utf8' }).stdout;
        assert.equal(ts.trim(), sentTs.trim(), `${v.name}: stored in the syntax it was sent in`);
      }
      assert.deepEqual(acknowledged(storescu(serve.dicomPort, [original]).output).success, [original]);
      uids.push(dcmtkIdentity(original).sopInstanceUid);
      const n = variants.length;
      await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status)).length === n + 1, 60_000, `${n + 1} results`);
      const list = await results(serve.httpUrl);
      const reference = list.find((r) => r.sop_instance_uid === uids[n])!;
      assert.equal(reference.status, 'scored', `the original scored (${reference.status}: ${reference.reason})`);
      for (const [i, uid] of uids.slice(0, n).entries()) {
        const r = list.find((x) => x.sop_instance_uid === uid)!;
        // JPEG extended and baseline are lossy: decoded and scored, but not to the same risk.
        if (lossy.has(variants[i].name)) {
          assert.ok(FINAL.has(r.status) && r.status !== 'failed', `lossy JPEG read and scored (${r.status}: ${r.reason})`);
          continue;
        }
        assert.equal(r.status, reference.status, variants[i].name);
        assert.equal(r.risk, reference.risk, `${variants[i].name}: lossless copies score as the original`);
      }

      // Not a lateral lumbar spine by its header: kept (stored) but not scored, with the reason.
      const chest = join(dir, 'chest.dcm');
      const ap = join(dir, 'ap.dcm');
      copyFileSync(original, chest);
      copyFileSync(original, ap);
      assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-m', '(0018,0015)=CHEST', chest]).status, 0);
      assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-m', '(0018,5101)=AP', ap]).status, 0);
      assert.equal(acknowledged(storescu(serve.dicomPort, [chest, ap]).output).success.length, 2);
      await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status)).length === n + 3, 60_000, `${n + 3} results`);
      const after = await results(serve.httpUrl);
      const chestResult = after.find((r) => r.sop_instance_uid === dcmtkIdentity(chest).sopInstanceUid)!;
      const apResult = after.find((r) => r.sop_instance_uid === dcmtkIdentity(ap).sopInstanceUid)!;
      assert.equal(chestResult.status, 'flagged');
      assert.deepEqual(chestResult.flags, ['Body Part Examined is "CHEST", not the lumbar spine']);
      assert.equal(apResult.status, 'flagged');
      assert.deepEqual(apResult.flags, ['View Position is "AP", not lateral']);
      assert.equal(readdirSync(join(store, 'images')).filter((f) => f.endsWith('.dcm')).length, n + 3, 'flagged images are kept');
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });

  test('clinical covariates: age and sex from the header, from --clinical CSV, or given later; a missing value waits', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-clinical');
    const dbArgs = await database.args('clinical');
    const serve = await startServe(['--model', clinicalModel, '--store', store, '--clinical', cohortCsv, ...dbArgs]);
    const predict = (file: string, age: string, sex: string): number => {
      const r = spawnSync(process.execPath, [bin, 'predict', '--model', clinicalModel, '--image', file, '--age', age, '--sex', sex, '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return (JSON.parse(r.stdout) as { risk: number }).risk;
    };
    let late = '';
    try {
      // 1. In the CSV (patient_id = the header's Patient ID): scored with the CSV's age and sex.
      const csvRows = readFileSync(cohortCsv, 'utf8').trim().split('\n').map((l) => l.split(','));
      const header = csvRows[0];
      const fromCsv = images.slice(30, 40);
      // 2. Not in the CSV but with Patient's Age and Sex in the header.
      const withHeader = join(dir, 'with-header.dcm');
      copyFileSync(images[40], withHeader);
      assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', '(0010,0020)=NOT-IN-CSV', '-i', '(0010,1010)=067Y', '-i', '(0010,0040)=F', withHeader]).status, 0);
      // 3. Neither: waits for the values, which then come by PUT.
      const without = join(dir, 'without.dcm');
      copyFileSync(images[41], without);
      assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', '(0010,0020)=ALSO-NOT-IN-CSV', without]).status, 0);
      // 4. Patient's Age 030M (2.5 years, far below the training ages): scored, with the extrapolation warning.
      const young = [42, 43, 44].map((i) => {
        const file = join(dir, `young-${i}.dcm`);
        copyFileSync(images[i], file);
        assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', `(0010,0020)=YOUNG-${i}`, '-i', '(0010,1010)=030M', '-i', '(0010,0040)=F', file]).status, 0);
        return file;
      });
      // 5. Not in this start's CSV: waits, until a restart with a CSV that has the patient (below).
      late = join(dir, 'late.dcm');
      copyFileSync(images[45], late);
      assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-i', '(0010,0020)=LATE-PATIENT', late]).status, 0);
      const run = storescu(serve.dicomPort, [...fromCsv, withHeader, without, ...young, late]);
      assert.equal(acknowledged(run.output).success.length, 16, run.output);
      await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status) || (r.missing_clinical as string[]).length > 0).length === 16, 60_000, 'sixteen results');
      const list = await results(serve.httpUrl);
      const byUid = (file: string): ResultJson => list.find((r) => r.sop_instance_uid === dcmtkIdentity(file).sopInstanceUid)!;

      let compared = 0;
      for (const file of fromCsv) {
        const r = byUid(file);
        if (r.status !== 'scored') continue;
        const row = csvRows.find((cells) => file.endsWith(`${cells[0]}.dcm`))!;
        assert.equal(r.risk, predict(file, row[header.indexOf('age')], row[header.indexOf('sex')]), 'the CSV row\'s age and sex');
        compared++;
      }
      assert.ok(compared >= 3, `at least three scored from the CSV (${compared})`);
      const h = byUid(withHeader);
      if (h.status === 'scored') assert.equal(h.risk, predict(withHeader, '67', 'F'), 'the header\'s age and sex');
      else assert.equal(h.status, 'flagged');

      const w = byUid(without);
      assert.equal(w.status, 'received');
      assert.deepEqual(w.missing_clinical, ['age', 'sex']);
      assert.match(String(w.reason), /waiting for clinical values: age, sex/);
      // A value the model cannot read (sex must be F or M) is refused before anything is stored.
      const refused = await fetch(`${serve.httpUrl}/api/results/${w.sop_instance_uid}/clinical`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { age: 71, sex: 'X' }, by: 'test reader' }),
      });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as { error: string }).error, /"values"\."sex": "sex" must be F or M, got "X"/);
      const put = await fetch(`${serve.httpUrl}/api/results/${w.sop_instance_uid}/clinical`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { age: 71, sex: 'M' }, by: 'test reader' }),
      });
      assert.equal(put.status, 200);
      const after = (await put.json()) as ResultJson;
      assert.ok(FINAL.has(after.status), `scored once the values came (${after.status})`);
      assert.deepEqual(after.missing_clinical, []);
      if (after.status === 'scored') assert.equal(after.risk, predict(without, '71', 'M'));
      const history = (await getJson<{ changes: { kind: string; value: unknown; by: string }[] }>(`${serve.httpUrl}/api/viewer/images/${w.sop_instance_uid}`)).body.changes;
      assert.deepEqual(history.map((c) => [c.kind, c.value, c.by]), [['clinical', { age: 71, sex: 'M' }, 'test reader']]);

      // The 030M images: the same risk as predict --age 2.5, and the warning everywhere the score is shown.
      let warned = 0;
      for (const file of young) {
        const r = byUid(file);
        if (r.status !== 'scored') continue;
        assert.equal(r.risk, predict(file, '2.5', 'F'), 'scored with age 2.5');
        assert.equal(Object.keys(r).indexOf('warnings'), 7, 'warnings right after CLI.md\'s keys');
        assert.equal((r.warnings as string[]).length, 1);
        assert.match((r.warnings as string[])[0], /^age 2\.5 is outside the training range [\d.]+-[\d.]+; the risk is an extrapolation$/);
        const entry = (await getJson<{ images: { sopInstanceUid: string; warnings: string[] }[] }>(`${serve.httpUrl}/api/viewer/worklist`)).body.images
          .find((e) => e.sopInstanceUid === r.sop_instance_uid)!;
        assert.deepEqual(entry.warnings, r.warnings, 'the worklist entry carries it');
        const csv = await (await fetch(`${serve.httpUrl}/api/viewer/worklist.csv`)).text();
        const line = csv.split('\r\n').find((l) => l.startsWith(r.sop_instance_uid))!;
        assert.ok(line.endsWith(`,${(r.warnings as string[])[0]}`), `the CSV's warnings column: ${line}`);
        warned++;
      }
      assert.ok(warned >= 1, 'at least one 030M image scored');
      for (const r of list.filter((x) => x.status === 'scored' && !young.some((f) => x.sop_instance_uid === dcmtkIdentity(f).sopInstanceUid))) {
        assert.deepEqual(r.warnings, [], 'ages inside the training range carry no warning');
      }
      const l = byUid(late);
      assert.deepEqual([l.status, l.missing_clinical], ['received', ['age', 'sex']]);
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }

    // Restarted with a CSV that now has the waiting patient: matched again on start, and scored with its values.
    const lateCsv = join(dir, 'late-clinical.csv');
    const cohortLines = readFileSync(cohortCsv, 'utf8').trim().split('\n');
    const cells = cohortLines[1].split(',');
    const columns = cohortLines[0].split(',');
    cells[columns.indexOf('patient_id')] = 'LATE-PATIENT';
    cells[columns.indexOf('age')] = '68.4';
    cells[columns.indexOf('sex')] = 'M';
    writeFileSync(lateCsv, `${cohortLines[0]}\n${cells.join(',')}\n`);
    const again = await startServe(['--model', clinicalModel, '--store', store, '--clinical', lateCsv, ...dbArgs]);
    try {
      const lateUid = dcmtkIdentity(late).sopInstanceUid;
      await waitFor(async () => FINAL.has((await results(again.httpUrl)).find((r) => r.sop_instance_uid === lateUid)!.status), 60_000, 'the waiting image scored after the restart');
      const r = (await results(again.httpUrl)).find((x) => x.sop_instance_uid === lateUid)!;
      assert.deepEqual(r.missing_clinical, []);
      if (r.status === 'scored') assert.equal(r.risk, predict(late, '68.4', 'M'), 'the new CSV row\'s age and sex');
      assert.match(again.stderr(), /store: 1 image\(s\) waiting for clinical values have new values from --clinical/);
    } finally {
      assert.equal(await again.stop(), 0, again.stderr());
    }
  });

  test('the viewer backend in-process: PHI only with --show-phi, the stored radiograph, the Grad-CAM PNG, changes checked and re-scored', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-backend');
    const dbArgs = await database.args('backend');
    const lines: string[] = [];
    const running = await startServeInProcess({
      modelDir: model, storeDir: store, dicomPort: 0, httpPort: 0, showPhi: true, db: dbArgs[1], log: (l) => lines.push(l),
    });
    try {
      const sent = images.slice(50, 54);
      // storescu in the background: the server runs in this process, so a blocking spawnSync would starve it.
      assert.equal(acknowledged((await storescuAsync(running.dicomPort, sent)).output).success.length, 4);
      await waitFor(async () => (await running.backend.list()).filter((x) => FINAL.has(x.status)).length === 4, 60_000, 'four scored');
      const list = await running.backend.list();
      for (const file of sent) {
        const dump = spawnSync('dcmdump', ['+P', '0010,0010', '+P', '0010,0020', '+P', '0028,0010', '+P', '0028,0011', file], { encoding: 'utf8' }).stdout;
        const value = (tag: string): string => new RegExp(`^\\(${tag}\\) \\w\\w \\[?([^\\]#]*?)\\]? +#`, 'm').exec(dump)![1].trim();
        const image = list.find((x) => x.sopInstanceUid === dcmtkIdentity(file).sopInstanceUid)!;
        assert.deepEqual(image.phi, { patientName: value('0010,0010'), patientId: value('0010,0020') });
        const radiograph = (await running.backend.radiograph(image.sopInstanceUid))!;
        assert.equal(radiograph.rows, Number(value('0028,0010')));
        assert.equal(radiograph.columns, Number(value('0028,0011')));
      }
      assert.ok(!lines.some((l) => /SYN\d{4}/.test(l)), 'the log has no patient ID even with --show-phi');

      const scored = list.find((x) => x.status === 'scored')!;
      assert.ok(scored !== undefined);
      const png = (await running.backend.heatmapPng(scored.sopInstanceUid))!;
      const { default: sharp } = await import('sharp');
      const meta = await sharp(png).metadata();
      const radiograph = (await running.backend.radiograph(scored.sopInstanceUid))!;
      assert.equal(meta.format, 'png');
      assert.deepEqual([meta.width, meta.height], [radiograph.columns, radiograph.rows]);
      assert.deepEqual(await running.backend.heatmapPng(scored.sopInstanceUid), png, 'made once, then served as made');
      assert.equal(await running.backend.heatmapPng('1.2.3.4'), undefined);

      await assert.rejects(running.backend.correctKeypoints(scored.sopInstanceUid, [1, 2, 3], 'x'), /"keypoints": need 10 numbers/);
      await assert.rejects(running.backend.correctKeypoints(scored.sopInstanceUid, scored.predictedKeypoints!, ''), /"by": say who makes the change/);
      await assert.rejects(running.backend.setClinical(scored.sopInstanceUid, { '../x': 1 }, 'x'), /"\.\.\/x" is not a column name/);
      // An image-only model reads no clinical value: any is refused, by the same check as the viewer's and the PUT's.
      await assert.rejects(running.backend.setClinical(scored.sopInstanceUid, { bmi: 24 }, 'x'), /"values"\."bmi": not a clinical value of this model \(it reads none\)/);
      // Correcting to the detector's own points: a new keypoints source, scored with the same points, so the same risk.
      const same = await running.backend.correctKeypoints(scored.sopInstanceUid, scored.predictedKeypoints!, 'test reader');
      assert.equal(same.correctedKeypoints!.by, 'test reader');
      assert.deepEqual(same.predictedKeypoints, scored.predictedKeypoints, 'the prediction is kept beside the correction');
      assert.ok(Math.abs(riskOf(same)! - riskOf(scored)!) < 1e-6);
      const counts = await database.scoreCounts(store, dbArgs);
      assert.equal(counts.get(scored.sopInstanceUid), 2);
    } finally {
      await running.close();
    }
  });

  test('restart: a stored file whose row is missing (crash between rename and insert) is recorded and scored; unfinished writes are removed; a scoring that broke is tried again', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-recover');
    const args = ['--model', model, '--store', store, ...(await database.args('recover'))];
    const first = await startServe(args);
    const sent = images.slice(60, 66);
    try {
      assert.equal(acknowledged(storescu(first.dicomPort, sent).output).success.length, 6);
      await waitFor(async () => (await results(first.httpUrl)).filter((r) => FINAL.has(r.status)).length === 6, 60_000, 'six scored');
    } finally {
      assert.equal(await first.stop(), 0, first.stderr());
    }
    const lost = sent.slice(0, 2).map((f) => dcmtkIdentity(f).sopInstanceUid);
    await database.deleteRows(store, args, lost);
    // A third whose scoring broke for a reason not its own (the engine, the thread): failed, no score, tried again on start.
    const broken = dcmtkIdentity(sent[2]).sopInstanceUid;
    await database.exec(store, args, `DELETE FROM serve_scores WHERE sop_instance_uid = '${broken}'`);
    await database.exec(store, args, `UPDATE serve_instances SET status = 'failed', reason = 'scoring failed: test', retry_on_start = 1 WHERE sop_instance_uid = '${broken}'`);
    writeFileSync(join(store, 'images', '.incoming-0123.dcm.1.2.x'), 'half a file');
    const second = await startServe(args);
    try {
      await waitFor(async () => {
        const list = await results(second.httpUrl);
        return list.length === 6 && list.every((r) => FINAL.has(r.status));
      }, 60_000, 'the two recovered and scored');
      assert.match(second.stderr(), /store: recovered 2 stored image\(s\) without a database row; removed 1 unfinished write\(s\)/);
      assert.match(second.stderr(), /score: trying again 1 image\(s\) whose scoring failed/);
      const retried = (await results(second.httpUrl)).find((r) => r.sop_instance_uid === broken)!;
      assert.notEqual(retried.reason, 'scoring failed: test');
      assert.ok(!readdirSync(join(store, 'images')).some((f) => f.startsWith('.incoming-')));
    } finally {
      assert.equal(await second.stop(), 0, second.stderr());
    }
    const counts = await database.scoreCounts(store, args);
    assert.equal(counts.size, 6);
    for (const n of counts.values()) assert.equal(n, 1);
  });

  test('--forward: results go to the PACS (dcmtk storescp) as a secondary capture and a structured report in the source study; a destination that is down is retried', { timeout: 120_000 }, async () => {
    const store = join(dir, 'store-forward');
    const port = await freePort();
    const serve = await startServe(['--model', model, '--store', store, '--forward', `PACS@127.0.0.1:${port}`, '--forward-retry-seconds', '1', ...(await database.args('forward'))]);
    const received = join(dir, 'pacs');
    mkdirSync(received);
    let storescp: ChildProcess | null = null;
    try {
      const sent = images.slice(70, 74);
      assert.equal(acknowledged(storescu(serve.dicomPort, sent).output).success.length, 4);
      await waitFor(async () => (await results(serve.httpUrl)).filter((r) => FINAL.has(r.status)).length === 4, 60_000, 'four scored');
      const list = await results(serve.httpUrl);
      const scored = list.filter((r) => r.status === 'scored');
      assert.ok(scored.length > 0);
      // Nothing listens yet: logged, scoring unaffected, tried again.
      await waitFor(() => /forward: results of instance [0-9a-f]{12} not sent \(.*\); trying again in 1 s/.test(serve.stderr()), 30_000, 'a failed forward logged');
      storescp = spawn('storescp', ['-aet', 'PACS', '-od', received, String(port)], { stdio: 'ignore' });
      await waitFor(() => readdirSync(received).length === 2 * scored.length, 60_000, 'a capture and a report per scored image');
      const sources = new Map(sent.map((f) => {
        const dump = spawnSync('dcmdump', ['+P', '0008,0018', '+P', '0020,000d', f], { encoding: 'utf8' }).stdout;
        return [/\(0008,0018\) UI \[([^\]]*)\]/.exec(dump)![1], /\(0020,000d\) UI \[([^\]]*)\]/.exec(dump)![1]];
      }));
      const classes: string[] = [];
      const studies = new Set<string>();
      for (const f of readdirSync(received)) {
        const dump = spawnSync('dcmdump', ['+P', '0008,0016', '+P', '0020,000d', join(received, f)], { encoding: 'utf8' }).stdout;
        classes.push(/\(0008,0016\) UI =?\[?([^\]\s#]*)/.exec(dump)![1]);
        studies.add(/\(0020,000d\) UI \[([^\]]*)\]/.exec(dump)![1]);
        if (/^SR/.test(f)) assert.equal(spawnSync('dsrdump', [join(received, f)]).status, 0, `dsrdump reads ${f}`);
      }
      assert.equal(classes.filter((c) => /SecondaryCapture|1\.2\.840\.10008\.5\.1\.4\.1\.1\.7$/.test(c)).length, scored.length, classes.join(' '));
      assert.equal(classes.filter((c) => /ComprehensiveSR|1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\.33$/.test(c)).length, scored.length, classes.join(' '));
      assert.deepEqual([...studies].sort(), scored.map((r) => sources.get(r.sop_instance_uid)!).sort(), 'in the source images\' studies');
      await waitFor(() => (serve.stderr().match(/forward: results of instance [0-9a-f]{12} sent/g) ?? []).length === scored.length, 10_000, 'sends logged');
    } finally {
      storescp?.kill('SIGKILL');
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });
}

/** A port nothing listens on (the kernel's pick, released at once). */
/**
 * A JPEG 2000 (lossless) copy of a synthetic radiograph: dcmtk writes out its stored pixels (dcmdump
 * +W), openjpeg's opj_compress encodes them (dcmtk cannot), and the project's DICOM writer wraps the
 * codestream with the same header fields synth writes, so the copy decodes to the original's pixels.
 */
function jpeg2000Copy(original: string, file: string): void {
  const work = tempDir('j2k');
  try {
    const dump = spawnSync('dcmdump', ['+W', work, original], { encoding: 'utf8' });
    assert.equal(dump.status, 0, dump.stderr);
    const rows = Number(/\(0028,0010\) US (\d+)/.exec(dump.stdout)![1]);
    const columns = Number(/\(0028,0011\) US (\d+)/.exec(dump.stdout)![1]);
    const spacing = /\(0028,0030\) DS \[([^\]]+)\]/.exec(dump.stdout)![1].split('\\').map(Number) as [number, number];
    const raw = readFileSync(join(work, readdirSync(work).filter((f) => f.endsWith('.raw')).sort((a, b) => statSync(join(work, b)).size - statSync(join(work, a)).size)[0]));
    assert.equal(raw.length, 2 * rows * columns, 'the pixel data, 16 bits a sample');
    const pixels = new Uint16Array(rows * columns);
    for (let i = 0; i < pixels.length; i++) pixels[i] = raw.readUInt16LE(2 * i);
    // PGM with 16-bit samples is big endian (netpbm).
    const pgm = Buffer.alloc(pixels.length * 2);
    for (let i = 0; i < pixels.length; i++) pgm.writeUInt16BE(pixels[i], 2 * i);
    writeFileSync(join(work, 'in.pgm'), Buffer.concat([Buffer.from(`P5\n${columns} ${rows}\n4095\n`, 'latin1'), pgm]));
    const opj = spawnSync('opj_compress', ['-i', join(work, 'in.pgm'), '-o', join(work, 'out.j2k')], { encoding: 'utf8' });
    assert.equal(opj.status, 0, opj.stderr);
    writeDicom(file, {
      pixels, rows, columns, bitsStored: 12, pixelSpacing: spacing, modality: 'DX', viewPosition: 'LL', patientOrientation: ['P', 'F'],
      patientId: 'J2K-COPY', encapsulated: { transferSyntax: '1.2.840.10008.1.2.4.90', frame: new Uint8Array(readFileSync(join(work, 'out.j2k'))) },
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}


async function predictedKeypoints(database: TestDatabase, store: string, args: string[], uid: string): Promise<number[]> {
  if (database.kind === 'sqlite') {
    const db = new Sqlite(join(store, 'serve.sqlite'), { readonly: true });
    try {
      return JSON.parse((db.prepare('SELECT predicted_keypoints AS k FROM serve_instances WHERE sop_instance_uid = ?').get(uid) as { k: string }).k) as number[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: args[args.indexOf('--db') + 1] });
  await client.connect();
  try {
    return JSON.parse((await client.query('SELECT predicted_keypoints AS k FROM serve_instances WHERE sop_instance_uid = $1', [uid])).rows[0].k) as number[];
  } finally {
    await client.end();
  }
}

export type { ServeProcess };
