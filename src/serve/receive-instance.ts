/**
 * What happens to one C-STORE dataset before its sender hears "success": the UIDs are checked, the
 * dataset is read with the project's own reader (a dataset it cannot read is refused with the reason),
 * the Part 10 file is written durably under a name made from a hash of the SOP Instance UID and its bytes, and the
 * instance is recorded as `received` in the database. Only then is it acknowledged; the scoring loop
 * picks it up from the database. A re-sent instance (same SOP Instance UID) is acknowledged without a
 * second row; when its bytes differ from the stored copy's, that is logged (the first copy is kept).
 *
 * The order file-then-row means a crash between the two leaves a file without a row, never a row
 * without a file: the server adds such files when it starts (recover.ts), and their senders were
 * never told "success", so nothing acknowledged can be lost.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readRadiographBytes, RadiographReadError } from '../imaging/index.js';
import { part10Bytes, type ReceivedMeta } from './part10.js';
import { instanceFileName, uidProblem, uidTag } from './uid.js';
import { writeFileDurable } from './durable-write.js';
import { headerClinical, mergeClinical, type Clinical, type ClinicalTable } from './clinical-values.js';
import type { ServeDb } from './serve-db.js';
import { inflatedSizeProblem } from './inflate-bound.js';
import type { RadiographDecoder } from './decode-client.js';
import { TRANSFER_SYNTAX } from '../imaging/index.js';

/** --max-dicom-mb's default, for a context made without one. */
const DEFAULT_MAX_DATASET_BYTES = 256 << 20;

export interface ReceiveContext {
  db: ServeDb;
  imagesDir: string;
  clinical: ClinicalTable;
  /** Clinical columns worth keeping with the instance (the model's covariates, age and sex). */
  clinicalColumns: string[];
  forward: boolean;
  log: (line: string) => void;
  /** Called after a new instance is recorded (wakes the scoring loop). */
  received: () => void;
  /** Largest dataset accepted (--max-dicom-mb), which a deflated one may not inflate past either; 256 MiB when absent. */
  maxDatasetBytes?: number;
  /** Reads radiographs off the main thread (the server's decode thread); in this thread when absent. */
  decoder?: RadiographDecoder;
}

export type ReceiveOutcome =
  | { ok: true; duplicate: boolean; tag: string }
  /** `kind`: refused for its content (the sender should not retry as is) or because we could not store it. */
  | { ok: false; kind: 'refused' | 'store-failed'; reason: string };

export interface Described {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  phi: Record<string, string>;
}

/** The header fields a stored instance is recorded with; reads and checks the Part 10 bytes (on the decode thread when given). */
export async function describeInstance(name: string, bytes: Uint8Array, decoder?: RadiographDecoder): Promise<Described> {
  const phi = decoder !== undefined ? await decoder.phi(name, bytes) : (await readRadiographBytes(name, bytes, { phi: true })).phi ?? {};
  const sopInstanceUid = phi.SOPInstanceUID ?? '';
  for (const [what, uid] of [['SOP Instance UID', sopInstanceUid], ['Study Instance UID', phi.StudyInstanceUID], ['Series Instance UID', phi.SeriesInstanceUID]] as const) {
    const problem = uidProblem(uid, what);
    if (problem !== null) throw new RadiographReadError(name, 'corrupt', problem);
  }
  return { sopInstanceUid, studyInstanceUid: phi.StudyInstanceUID!, seriesInstanceUid: phi.SeriesInstanceUID!, phi };
}

/** The clinical values known on arrival: the CSV's row and the header's age and sex, the model's columns only. */
export function arrivalClinical(ctx: Pick<ReceiveContext, 'clinical' | 'clinicalColumns'>, phi: Record<string, string>): Clinical {
  const merged = mergeClinical(ctx.clinical.lookup(phi.PatientID ?? '', phi.AccessionNumber ?? ''), headerClinical(phi), {});
  const out: Clinical = {};
  for (const c of ctx.clinicalColumns) if (merged[c] !== undefined) out[c] = merged[c];
  return out;
}

/** A described instance whose file is on disk: its database row, as received (and as recovered after a crash). */
export async function recordInstance(
  ctx: ReceiveContext,
  described: Described,
  stored: { file: string; sha256: string; sopClassUid: string },
): Promise<boolean> {
  const { phi } = described;
  return ctx.db.insertReceived({
    sopInstanceUid: described.sopInstanceUid,
    studyInstanceUid: described.studyInstanceUid,
    seriesInstanceUid: described.seriesInstanceUid,
    sopClassUid: stored.sopClassUid,
    file: stored.file,
    sha256: stored.sha256,
    patientName: phi.PatientName ?? '',
    patientId: phi.PatientID ?? '',
    accessionNumber: phi.AccessionNumber ?? '',
    clinical: arrivalClinical(ctx, phi),
    receivedAt: new Date().toISOString(),
    forward: ctx.forward,
  });
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The line logged when an instance comes again with other bytes than the stored copy (which is kept). */
const differentBytes = (tag: string): string => `dicom: instance ${tag} received again with different bytes (sha256 differs); the copy stored first is kept`;

export async function receiveInstance(ctx: ReceiveContext, meta: ReceivedMeta, dataset: Uint8Array): Promise<ReceiveOutcome> {
  const commandProblem = uidProblem(meta.sopInstanceUid, 'Affected SOP Instance UID') ?? uidProblem(meta.sopClassUid, 'Affected SOP Class UID');
  if (commandProblem !== null) return { ok: false, kind: 'refused', reason: commandProblem };
  const tag = uidTag(meta.sopInstanceUid);
  if (meta.transferSyntaxUid === TRANSFER_SYNTAX.deflated) {
    const bomb = await inflatedSizeProblem(dataset, ctx.maxDatasetBytes ?? DEFAULT_MAX_DATASET_BYTES);
    if (bomb !== null) return { ok: false, kind: 'refused', reason: `instance ${tag}: ${bomb}` };
  }
  const bytes = part10Bytes(meta, dataset);
  let described;
  try {
    described = await describeInstance(`instance ${tag}`, bytes, ctx.decoder);
  } catch (error) {
    return { ok: false, kind: 'refused', reason: (error as Error).message };
  }
  if (described.sopInstanceUid !== meta.sopInstanceUid) {
    return { ok: false, kind: 'refused', reason: `instance ${tag}: the dataset's SOP Instance UID differs from the C-STORE request's` };
  }
  const sha256 = sha256Hex(bytes);
  try {
    const earlier = await ctx.db.get(meta.sopInstanceUid);
    if (earlier !== undefined) {
      if (earlier.sha256 !== sha256) ctx.log(differentBytes(tag));
      return { ok: true, duplicate: true, tag };
    }
    // Named by UID and bytes: two associations sending this UID at once with different bytes write two
    // files, one row wins, and the other file is removed, so the row's sha256 always matches its file.
    const file = instanceFileName(meta.sopInstanceUid, sha256);
    const path = join(ctx.imagesDir, file);
    await writeFileDurable(path, bytes);
    const inserted = await recordInstance(ctx, described, { file, sha256, sopClassUid: meta.sopClassUid });
    if (inserted) {
      ctx.received();
    } else {
      const winner = await ctx.db.get(meta.sopInstanceUid);
      if (winner !== undefined && winner.file !== file) {
        await rm(path, { force: true });
        ctx.log(differentBytes(tag));
      }
    }
    return { ok: true, duplicate: !inserted, tag };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, kind: 'store-failed', reason: `instance ${tag}: could not be stored (${e.code ?? e.message})` };
  }
}
