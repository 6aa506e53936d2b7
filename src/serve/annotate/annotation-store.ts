/**
 * The keypoints file `spinesurv annotate` writes: a COCO keypoints file (the form every reader of the
 * project takes, src/keypoints), kept in memory and written whole after every change: to a temporary
 * name, flushed, renamed, the folder flushed (durable-write.ts). A change is answered only after that,
 * so `kill -9` loses nothing that was acknowledged.
 *
 * Nothing is overwritten silently:
 * - every image has a revision (a hash of what the file holds for it); a change names the revision
 *   the page loaded, and a different one now (another tab, an undo) is a 409 with the reason;
 * - before each write the file on disk must still be the bytes we read or last wrote; if another
 *   program changed it, nothing is written and the change is a 409 telling the user to restart.
 *
 * Extension fields (COCO readers ignore unknown keys): each annotation carries
 * `spinesurv_annotate: {annotator, seconds, accepted_at, proposal}` (proposal: "none", "accepted"
 * unchanged, or "corrected" with `moved_over_2mm`), and a skipped image carries
 * `spinesurv_annotate: {skipped: {reason, annotator, seconds, at}}` on its images[] entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { keypointCategories, type KeypointCategory } from '../../keypoints/categories.js';
import { allLabelled, KEYPOINT_NAMES, NUM_KEYPOINTS, pixelCentreOffset, readKeypoints } from '../../keypoints/index.js';
import { InputError } from '../../util/errors.js';
import { RequestError } from '../change-checks.js';
import { writeFileDurable } from '../durable-write.js';
import { objectScale } from './object-scale.js';
import type { AnnotateItem } from './worklist-items.js';

type Json = Record<string, unknown>;

export type ImageStatus = 'todo' | 'accepted' | 'skipped';

export interface ImageState {
  status: ImageStatus;
  /** x1, y1, ..., x5, y5 (COCO convention) when accepted. */
  keypoints: number[] | null;
  annotator: string | null;
  reason: string | null;
  revision: string;
}

export interface Acceptance {
  keypoints: number[];
  annotator: string;
  seconds: number;
  revision: string;
  /** What the detector proposed (x1, y1, ...), or null. */
  proposal: number[] | null;
  size: { rows: number; columns: number };
  /** [row, column] mm per pixel, from the image, or null. */
  spacing: [number, number] | null;
}

export interface Skip {
  reason: string;
  annotator: string;
  seconds: number;
  revision: string;
  size: { rows: number; columns: number } | null;
  spacing: [number, number] | null;
}

/** What the file held for one image before a change (for undo). */
interface Snapshot {
  annotations: Json[];
  ext: unknown;
  imageExisted: boolean;
}

const EXT = 'spinesurv_annotate';
const sha = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export class AnnotationStore {
  private doc: Json & { images: Json[]; annotations: Json[]; categories: Json[] };
  private diskHash: string | null;
  private readonly category: KeypointCategory;
  /** Added to the file's coordinates to reach COCO's convention (0.5 for the synthetic cohort's). */
  private readonly shift: number;
  private readonly idByIndex = new Map<number, number>();
  private readonly history = new Map<number, Snapshot[]>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string, doc: Json, diskHash: string | null, private readonly items: AnnotateItem[], cohortDir: string) {
    this.doc = doc as AnnotationStore['doc'];
    this.diskHash = diskHash;
    this.category = [...keypointCategories(this.doc.categories, path).values()][0]!;
    this.shift = pixelCentreOffset(this.doc.info);
    if (existsSync(path)) {
      // The one reader checks the whole file (and finds our images in it by the one lookup).
      const file = readKeypoints(path);
      for (const item of items) {
        const entries = file.entriesFor(item.image, cohortDir);
        if (entries.length > 1) throw new InputError(`${path}: the radiograph of cohort line ${item.line} is listed more than once (${entries.map((e) => e.where).join(', ')}); fix the file first`);
        if (entries.length === 1) this.idByIndex.set(item.index, entries[0]!.imageId);
      }
    }
  }

  /** Opens the file (it must be a COCO keypoints file) or starts a new one, written on the first change. */
  static open(path: string, items: AnnotateItem[], cohortDir: string): AnnotationStore {
    if (!existsSync(path)) {
      const doc = {
        info: { description: 'L1-L5 vertebral body centres, annotated with spinesurv annotate', coordinates: 'COCO: x to the right, y down, the centre of the top-left pixel at (0.5, 0.5)' },
        images: [], annotations: [],
        categories: [{ id: 1, name: 'lumbar_spine', supercategory: 'spine', keypoints: [...KEYPOINT_NAMES], skeleton: [[1, 2], [2, 3], [3, 4], [4, 5]] }],
      };
      return new AnnotationStore(path, doc, null, items, cohortDir);
    }
    const bytes = readFileSync(path);
    const file = readKeypoints(path);
    if (file.format !== 'coco-keypoints') throw new InputError(`${path}: a results list (predictions); annotate writes a COCO keypoints file: name another --keypoints file`);
    return new AnnotationStore(path, JSON.parse(bytes.toString('utf8')) as Json, sha(bytes), items, cohortDir);
  }

  private imageEntry(index: number): Json | undefined {
    const id = this.idByIndex.get(index);
    return id === undefined ? undefined : this.doc.images.find((im) => im.id === id);
  }

  private ownAnnotations(index: number): Json[] {
    const id = this.idByIndex.get(index);
    if (id === undefined) return [];
    const single = keypointCategories(this.doc.categories, this.path).size === 1;
    return this.doc.annotations.filter((a) => a.image_id === id && (a.category_id === this.category.id || (a.category_id === undefined && single)));
  }

  state(index: number): ImageState {
    const anns = this.ownAnnotations(index);
    const ext = this.imageEntry(index)?.[EXT] as { skipped?: { reason?: string; annotator?: string } } | undefined;
    const revision = sha(JSON.stringify({ anns, ext: ext ?? null })).slice(0, 16);
    if (ext?.skipped !== undefined) {
      return { status: 'skipped', keypoints: null, annotator: ext.skipped.annotator ?? null, reason: ext.skipped.reason ?? null, revision };
    }
    if (anns.length === 1) {
      const points = this.pointsOf(anns[0]!);
      if (points !== null) {
        const by = (anns[0]![EXT] as { annotator?: string } | undefined)?.annotator ?? null;
        return { status: 'accepted', keypoints: points, annotator: by, reason: null, revision };
      }
    }
    return { status: 'todo', keypoints: null, annotator: null, reason: null, revision };
  }

  /** The annotation's five points in L1..L5 order and COCO's convention, or null when one is missing. */
  private pointsOf(a: Json): number[] | null {
    const raw = a.keypoints as number[];
    const out = new Float64Array(2 * NUM_KEYPOINTS).fill(Number.NaN);
    this.category.slots.forEach((slot, p) => {
      if (raw[3 * p + 2] === 0) return;
      out[2 * slot] = raw[3 * p]! + this.shift;
      out[2 * slot + 1] = raw[3 * p + 1]! + this.shift;
    });
    return allLabelled(out) ? [...out] : null;
  }

  accept(item: AnnotateItem, a: Acceptance): Promise<ImageState> {
    return this.change(item, a.revision, a.size, a.spacing, (image) => {
      const triplets: number[] = new Array<number>(3 * NUM_KEYPOINTS);
      this.category.slots.forEach((slot, p) => {
        triplets[3 * p] = a.keypoints[2 * slot]! - this.shift;
        triplets[3 * p + 1] = a.keypoints[2 * slot + 1]! - this.shift;
        triplets[3 * p + 2] = 2;
      });
      const scale = objectScale(a.keypoints);
      delete image[EXT];
      const ext: Json = { annotator: a.annotator, seconds: a.seconds, accepted_at: new Date().toISOString(), proposal: 'none' };
      if (a.proposal !== null) {
        const moved = movedOver2mm(a.keypoints, a.proposal, a.spacing);
        ext.proposal = a.keypoints.every((v, i) => v === a.proposal![i]) ? 'accepted' : 'corrected';
        ext.moved_over_2mm = moved;
      }
      return [{
        id: this.nextAnnotationId(), image_id: image.id, category_id: this.category.id, keypoints: triplets, num_keypoints: NUM_KEYPOINTS,
        bbox: [scale.bbox[0] - this.shift, scale.bbox[1] - this.shift, scale.bbox[2], scale.bbox[3]], area: scale.area, iscrowd: 0, [EXT]: ext,
      }];
    });
  }

  skip(item: AnnotateItem, s: Skip): Promise<ImageState> {
    return this.change(item, s.revision, s.size, s.spacing, (image) => {
      image[EXT] = { skipped: { reason: s.reason, annotator: s.annotator, seconds: s.seconds, at: new Date().toISOString() } };
      return [];
    });
  }

  /** Puts back what the file held for this image before this session's last change of it. */
  undo(item: AnnotateItem, revision: string): Promise<ImageState> {
    return this.serialise(async () => {
      this.checkRevision(item, revision);
      const stack = this.history.get(item.index) ?? [];
      const last = stack.at(-1);
      if (last === undefined) throw new RequestError(409, `nothing to undo for the radiograph of cohort line ${item.line} since annotate started`);
      const next = structuredClone(this.doc);
      const id = this.idByIndex.get(item.index)!;
      next.annotations = [...next.annotations.filter((a) => !this.isOwn(a, id)), ...last.annotations];
      if (last.imageExisted) {
        const image = next.images.find((im) => im.id === id)!;
        if (last.ext === undefined) delete image[EXT];
        else image[EXT] = last.ext;
      } else {
        next.images = next.images.filter((im) => im.id !== id);
      }
      await this.write(next);
      stack.pop();
      if (!last.imageExisted) this.idByIndex.delete(item.index);
      return this.state(item.index);
    });
  }

  private isOwn(a: Json, imageId: number): boolean {
    return a.image_id === imageId && (a.category_id === this.category.id || a.category_id === undefined);
  }

  private nextAnnotationId(): number {
    return this.doc.annotations.reduce((m, a) => Math.max(m, typeof a.id === 'number' ? a.id : 0), 0) + 1;
  }

  private checkRevision(item: AnnotateItem, revision: string): void {
    const now = this.state(item.index).revision;
    if (now !== revision) {
      throw new RequestError(409, `the radiograph of cohort line ${item.line} was changed since this page loaded it (another tab, or an undo); reload it to see the change, nothing was written`);
    }
  }

  /** One change at a time: checked, applied to a copy, written, and only then made current. */
  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private change(
    item: AnnotateItem, revision: string, size: { rows: number; columns: number } | null, spacing: [number, number] | null,
    fill: (image: Json) => Json[],
  ): Promise<ImageState> {
    return this.serialise(async () => {
      this.checkRevision(item, revision);
      const next = structuredClone(this.doc);
      let id = this.idByIndex.get(item.index);
      const imageExisted = id !== undefined;
      if (id === undefined) {
        id = next.images.reduce((m, im) => Math.max(m, typeof im.id === 'number' ? im.id : 0), 0) + 1;
        const image: Json = { id, file_name: item.image };
        if (size !== null) Object.assign(image, { width: size.columns, height: size.rows });
        if (spacing !== null) image.pixel_spacing = spacing;
        next.images.push(image);
      }
      const image = next.images.find((im) => im.id === id)!;
      const before: Snapshot = { annotations: structuredClone(this.ownAnnotations(item.index)), ext: structuredClone(image[EXT]), imageExisted };
      const fresh = fill(image);
      next.annotations = [...next.annotations.filter((a) => !this.isOwn(a, id)), ...fresh];
      this.idByIndex.set(item.index, id);
      try {
        await this.write(next);
      } catch (error) {
        if (!imageExisted) this.idByIndex.delete(item.index);
        throw error;
      }
      this.history.set(item.index, [...(this.history.get(item.index) ?? []), before]);
      return this.state(item.index);
    });
  }

  /** Refuses when another program changed the file since we read or wrote it; else writes durably. */
  private async write(next: AnnotationStore['doc']): Promise<void> {
    let onDisk: string | null = null;
    try {
      onDisk = sha(readFileSync(this.path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (onDisk !== this.diskHash) {
      const what = this.diskHash === null ? 'was created' : onDisk === null ? 'was deleted' : 'was changed';
      throw new RequestError(409, `${this.path} ${what} by another program since annotate read it; nothing was written. Stop annotate, keep or merge that file, and start annotate again`);
    }
    const text = JSON.stringify(next) + '\n';
    await writeFileDurable(this.path, Buffer.from(text));
    this.diskHash = sha(text);
    this.doc = next;
  }

  /** The keypoints file's image ids of the accepted radiographs, in worklist order. */
  acceptedImageIds(): number[] {
    return this.items.filter((i) => this.state(i.index).status === 'accepted').map((i) => this.idByIndex.get(i.index)!);
  }

  counts(): Record<ImageStatus, number> {
    const out: Record<ImageStatus, number> = { todo: 0, accepted: 0, skipped: 0 };
    for (const item of this.items) out[this.state(item.index).status]++;
    return out;
  }
}

/** How many points moved more than 2 mm from the proposal (pixels when the spacing is unknown: 2 px). */
function movedOver2mm(points: number[], proposal: number[], spacing: [number, number] | null): number {
  const [rowMm, colMm] = spacing ?? [1, 1];
  let n = 0;
  for (let k = 0; k < NUM_KEYPOINTS; k++) {
    if (Math.hypot((points[2 * k]! - proposal[2 * k]!) * colMm, (points[2 * k + 1]! - proposal[2 * k + 1]!) * rowMm) > 2) n++;
  }
  return n;
}
