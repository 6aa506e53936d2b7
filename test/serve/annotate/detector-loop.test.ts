/**
 * The detector in the loop, through `spinesurv annotate` as a process: after the first N accepted
 * radiographs it retrains in the background (a child process), holds every tenth accepted radiograph
 * out, and shows how many it learnt from and the held-out MRE; the worklist then carries the new
 * proposals, least confident first. The held-out MRE is checked against the round's own proposal for
 * that radiograph and the generator's truth, measured here in millimetres.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, smallCohort, startAnnotate, trainingImages, truePoints, type AnnotateProcess } from './helpers.js';

interface Worklist {
  items: { index: number; uncertainty: number | null }[];
  detector: { state: string; images_learnt: number | null; held_out: { images: number; mre_mm: number; ap: number } | null; next_retrain_at: number | null };
}

describe('spinesurv annotate retrains the detector', { timeout: 180_000 }, () => {
  let cohort: string;
  let server: AnnotateProcess;
  let train: string[];

  before(async () => {
    cohort = smallCohort('annotate-loop', 16);
    train = trainingImages(cohort);
    server = await startAnnotate([
      '--cohort', cohort, '--keypoints', join(cohort, 'annotated.json'), '--order', 'uncertainty',
      '--retrain-first', '10', '--retrain-every', '100', '--epochs', '1', '--size', '64',
    ]);
  });
  after(() => {
    server.child.kill('SIGKILL');
  });

  it('after 10 accepted: learnt from 9, one held out, its MRE shown; the worklist follows the new proposals', async () => {
    let w = (await json(`${server.url}/api/annotate/worklist`)).body as unknown as Worklist;
    assert.equal(w.detector.state, 'waiting');
    assert.equal(w.detector.next_retrain_at, 10);
    for (let i = 0; i < 10; i++) {
      const { revision } = (await json(`${server.url}/api/annotate/images/${i}`)).body;
      const r = await json(`${server.url}/api/annotate/images/${i}/accept`, { keypoints: truePoints(cohort, train[i]!), by: 'sim', seconds: 1, revision });
      assert.equal(r.status, 200);
    }
    for (const deadline = Date.now() + 120_000; ;) {
      w = (await json(`${server.url}/api/annotate/worklist`)).body as unknown as Worklist;
      if (w.detector.state === 'ready' || w.detector.state === 'failed' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(w.detector.state, 'ready', server.stderr());
    assert.equal(w.detector.images_learnt, 9);
    assert.equal(w.detector.held_out!.images, 1);
    assert.equal(w.detector.next_retrain_at, 110);

    // The tenth accepted (worklist index 9) was held out: its MRE is the mean over L1-L5 of the
    // distance, in mm, between that round's prediction and the truth.
    const work = join(cohort, '.annotated.json.detector');
    const round = readdirSync(work).filter((n) => n.startsWith('round-')).sort().at(-1)!;
    const proposals = JSON.parse(readFileSync(join(work, round, 'proposals.json'), 'utf8')) as { image_id: number; keypoints: number[] }[];
    const predicted = proposals.find((p) => p.image_id === 10)!.keypoints; // image_id = worklist position + 1
    const truth = truePoints(cohort, train[9]!);
    const doc = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as { images: { file_name: string; pixel_spacing: [number, number] }[] };
    const [rowMm, colMm] = doc.images.find((im) => im.file_name === train[9])!.pixel_spacing;
    const mre = [0, 1, 2, 3, 4].reduce((s, k) => s + Math.hypot((predicted[3 * k]! - truth[2 * k]!) * colMm, (predicted[3 * k + 1]! - truth[2 * k + 1]!) * rowMm), 0) / 5;
    assert.ok(Math.abs(w.detector.held_out!.mre_mm - mre) < 1e-3, `held-out MRE ${w.detector.held_out!.mre_mm} vs ${mre}`);

    // Every radiograph has a proposal now; the worklist is ordered least confident first.
    assert.ok(w.items.every((x) => x.uncertainty !== null));
    for (let i = 1; i < w.items.length; i++) assert.ok(w.items[i - 1]!.uncertainty! >= w.items[i]!.uncertainty!);
    const shown = (await json(`${server.url}/api/annotate/images/${w.items[0]!.index}`)).body;
    assert.ok(shown.proposal !== null);
  });
});
