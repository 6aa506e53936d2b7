/**
 * `spinesurv annotate` over HTTP, as a real process: the worklist is the training split of
 * cohort.csv; accept, skip and undo; a stale change (another tab) and a file changed by another
 * program are refused with 409 and nothing is overwritten; malformed payloads are 400; an unreadable
 * radiograph is reported with the reader's reason; a request for another Host is 403; and after
 * `kill -9` every accepted radiograph is in the file, which the study's own checks accept
 * (src/study/images.ts checkAnnotations) with the points that were sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/study/config.js';
import { cohortFrom, readCohortRows } from '../../../src/study/cohort.js';
import { checkAnnotations } from '../../../src/study/images.js';
import { readKeypoints } from '../../../src/keypoints/index.js';
import { withHost } from '../helpers.js';
import { json, smallCohort, startAnnotate, trainingImages, truePoints, type AnnotateProcess } from './helpers.js';

describe('spinesurv annotate over HTTP', { timeout: 120_000 }, () => {
  let cohort: string;
  let kpPath: string;
  let server: AnnotateProcess;
  let train: string[];

  before(async () => {
    cohort = smallCohort('annotate-api');
    kpPath = join(cohort, 'annotated.json');
    train = trainingImages(cohort);
    server = await startAnnotate(['--cohort', cohort, '--keypoints', kpPath]);
  });
  after(() => {
    server.child.kill('SIGKILL');
  });

  const image = async (i: number): Promise<Record<string, unknown>> => (await json(`${server.url}/api/annotate/images/${i}`)).body;
  const accept = (i: number, body: unknown) => json(`${server.url}/api/annotate/images/${i}/accept`, body);

  it('lists the training split only, in cohort order', async () => {
    const w = (await json(`${server.url}/api/annotate/worklist`)).body as { items: { index: number; split: string }[]; counts: Record<string, number> };
    assert.equal(w.items.length, train.length);
    assert.ok(w.items.every((x) => x.split === 'train'));
    assert.deepEqual(w.counts, { todo: train.length, accepted: 0, skipped: 0 });
  });

  it('accepts, refuses a stale second tab (409), skips with a reason, undoes', async () => {
    const first = await image(0);
    const points = truePoints(cohort, train[0]!);
    const ok = await accept(0, { keypoints: points, by: 'reader 1', seconds: 7.5, revision: first.revision });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'accepted');
    // The second tab loaded the same image before the first accepted it.
    const stale = await accept(0, { keypoints: points.map((v) => v + 1), by: 'reader 2', seconds: 3, revision: first.revision });
    assert.equal(stale.status, 409);
    assert.match(String(stale.body.error), /changed since this page loaded it/);
    assert.deepEqual((await image(0)).keypoints, points);

    const second = await image(1);
    const skip = await json(`${server.url}/api/annotate/images/1/skip`, { reason: 'L5 not visible', by: 'reader 1', seconds: 2, revision: second.revision });
    assert.equal(skip.status, 200);
    assert.equal(skip.body.reason, 'L5 not visible');
    const undo = await json(`${server.url}/api/annotate/images/1/undo`, { revision: skip.body.revision });
    assert.equal(undo.status, 200);
    assert.equal(undo.body.status, 'todo');
    assert.equal(undo.body.revision, second.revision);
    const next = (await json(`${server.url}/api/annotate/next?after=0`)).body;
    assert.equal(next.index, 1);
  });

  it('refuses malformed payloads with 400 naming the field, and unknown images with 404', async () => {
    const r = (await image(2)).revision;
    const good = truePoints(cohort, train[2]!);
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/],
      [[1, 2, 3], /expected a JSON object/],
      [{ keypoints: good.slice(0, 8), by: 'a', seconds: 1, revision: r }, /need 10 numbers/],
      [{ keypoints: [...good.slice(0, 9), 'x'], by: 'a', seconds: 1, revision: r }, /L5 y\): not a finite number/],
      [{ keypoints: [...good.slice(0, 9), 1e6], by: 'a', seconds: 1, revision: r }, /outside the image/],
      [{ keypoints: good, by: '', seconds: 1, revision: r }, /"by"/],
      [{ keypoints: good, by: 'a', seconds: -1, revision: r }, /"seconds"/],
      [{ keypoints: good, by: 'a', seconds: 1, revision: 'abc' }, /"revision"/],
      [{ keypoints: good, by: 'a', seconds: 1, revision: r, extra: 1 }, /unknown field "extra"/],
    ];
    for (const [body, message] of cases) {
      const res = await accept(2, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.body.error), message);
    }
    assert.equal((await json(`${server.url}/api/annotate/images/1/skip`, { reason: '', by: 'a', seconds: 1, revision: r })).status, 400);
    assert.equal((await json(`${server.url}/api/annotate/images/999`)).status, 404);
    assert.equal((await json(`${server.url}/api/annotate/images/-1`)).status, 400);
    assert.equal((await image(2)).status, 'todo');
  });

  it('answers only loopback Host headers without a token (403 otherwise)', async () => {
    const port = new URL(server.url).port;
    assert.equal((await withHost(`${server.url}/api/annotate/worklist`, `evil.example:${port}`)).status, 403);
    assert.equal((await withHost(`${server.url}/api/annotate/worklist`, `localhost:${port}`)).status, 200);
  });

  it('--include-test shows the test split too; with a token, the API needs it and the page does not', async () => {
    const token = 'a-token-of-enough-length';
    const other = await startAnnotate(['--cohort', cohort, '--keypoints', join(cohort, 'reader-study.json'), '--include-test', '--token', token]);
    try {
      assert.equal((await fetch(`${other.url}/api/annotate/worklist`)).status, 401);
      assert.equal((await fetch(`${other.url}/`)).status, 200);
      const w = (await (await fetch(`${other.url}/api/annotate/worklist`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { split: string }[] };
      const rows = readFileSync(join(cohort, 'cohort.csv'), 'utf8').trim().split('\n').length - 1;
      assert.equal(w.items.length, rows);
      assert.ok(w.items.some((x) => x.split === 'test'));
    } finally {
      other.child.kill('SIGKILL');
    }
  });

  it('keeps an existing file\'s own coordinate convention and contents (the synthetic cohort\'s: pixel centre at 0, 0)', async () => {
    const copy = join(cohort, 'copy-of-truth.json');
    writeFileSync(copy, readFileSync(join(cohort, 'keypoints.json')));
    const other = await startAnnotate(['--cohort', cohort, '--keypoints', copy]);
    try {
      const w = (await json(`${other.url}/api/annotate/worklist`)).body as { counts: Record<string, number> };
      assert.deepEqual(w.counts, { todo: 0, accepted: train.length, skipped: 0 });
      const shown = (await json(`${other.url}/api/annotate/images/0`)).body;
      assert.deepEqual(shown.keypoints, truePoints(cohort, train[0]!)); // file value + 0.5
      const moved = truePoints(cohort, train[0]!).map((v) => v + 2);
      const r = await json(`${other.url}/api/annotate/images/0/accept`, { keypoints: moved, by: 'reader 1', seconds: 1, revision: shown.revision });
      assert.equal(r.status, 200);
      const before = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as { images: { id: number; file_name: string; patient_id: string }[]; annotations: { image_id: number; keypoints: number[] }[] };
      const after = JSON.parse(readFileSync(copy, 'utf8')) as typeof before;
      const id = before.images.find((im) => im.file_name === train[0])!.id;
      const was = before.annotations.find((a) => a.image_id === id)!.keypoints;
      const now = after.annotations.find((a) => a.image_id === id)!.keypoints;
      now.forEach((v, i) => assert.ok(Math.abs(v - (i % 3 === 2 ? 2 : was[i]! + 2)) < 1e-9, `keypoints[${i}]: ${v}`));
      assert.deepEqual(after.images, before.images); // patient_id and every other field kept
      assert.deepEqual(after.annotations.filter((a) => a.image_id !== id), before.annotations.filter((a) => a.image_id !== id));
    } finally {
      other.child.kill('SIGKILL');
    }
  });

  it('reports a radiograph that cannot be read, with the reason; it can be skipped', async () => {
    writeFileSync(join(cohort, train[3]!), 'not a radiograph');
    const r = await fetch(`${server.url}/api/annotate/images/3/pixels`);
    assert.equal(r.status, 422);
    assert.match(((await r.json()) as { error: string }).error, /cohort line \d+ cannot be read: /);
    const skip = await json(`${server.url}/api/annotate/images/3/skip`, { reason: 'cannot be read', by: 'reader 1', seconds: 1, revision: (await image(3)).revision });
    assert.equal(skip.status, 200);
  });

  it('refuses to overwrite a keypoints file another program changed (409), and leaves it as that program wrote it', async () => {
    const before = readFileSync(kpPath, 'utf8');
    const edited = before.replace('"reader 1"', '"someone else"');
    writeFileSync(kpPath, edited);
    const r = await accept(4, { keypoints: truePoints(cohort, train[4]!), by: 'reader 1', seconds: 1, revision: (await image(4)).revision });
    assert.equal(r.status, 409);
    assert.match(String(r.body.error), /changed by another program/);
    assert.equal(readFileSync(kpPath, 'utf8'), edited);
  });

  it('after kill -9 and a restart every accepted radiograph is in the file, which the study accepts', async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    server = await startAnnotate(['--cohort', cohort, '--keypoints', kpPath]);
    const sent = new Map<number, number[]>([[0, truePoints(cohort, train[0]!)]]);
    for (const i of [5, 6, 7]) {
      const points = truePoints(cohort, train[i]!).map((v, j) => v + (j % 3) * 0.25);
      const r = await accept(i, { keypoints: points, by: 'reader 1', seconds: 4, revision: (await image(i)).revision });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      sent.set(i, points);
    }
    // Killed straight after the last answer: nothing may be pending.
    server.child.kill('SIGKILL');
    await server.exited;
    server = await startAnnotate(['--cohort', cohort, '--keypoints', kpPath]);
    const w = (await json(`${server.url}/api/annotate/worklist`)).body as { counts: Record<string, number> };
    assert.equal(w.counts.accepted, sent.size);
    const file = readKeypoints(kpPath);
    assert.equal(file.format, 'coco-keypoints');
    for (const [i, points] of sent) {
      const entry = file.lookup(train[i]!, cohort)!;
      assert.deepEqual([...entry.keypoints!], points, `image ${i}`);
      assert.equal(entry.problem, null);
    }
    const doc = JSON.parse(readFileSync(kpPath, 'utf8')) as { annotations: { spinesurv_annotate: { annotator: string; seconds: number } }[] };
    assert.ok(doc.annotations.every((a) => a.spinesurv_annotate.annotator !== '' && a.spinesurv_annotate.seconds >= 0));
    // The study's own check of a cohort's annotations: the file reads, and the accepted ones count.
    const coverage = checkAnnotations(cohortFrom(cohort, readCohortRows(cohort, loadConfig(undefined))), 'annotated.json');
    assert.equal(coverage.trainingAnnotated.size, sent.size);
  });
});
