/**
 * C-STORE SCU: sends Part 10 instances to a DICOM node over one association with dcmjs-dimse's
 * Client, proposing each instance's SOP class (with Implicit and Explicit VR Little Endian). Resolves
 * when every instance was stored (status Success, or a Warning status 0xBxxx, which PS3.4 B.2.3
 * counts as stored); rejects with one message naming each instance that was not and why: the
 * status code, the association refused (and its reason), the SOP class not accepted, the network,
 * or no answer within the timeout.
 */
import dimse from 'dcmjs-dimse';
import { parseDicomBytes, textOf, transferSyntaxOf } from '../../imaging/dicom/parse-dicom.js';
import { UsageError } from '../../util/errors.js';

const { Client, Dataset } = dimse;
const { CStoreRequest } = dimse.requests;

// dcmjs-dimse logs every PDU at "info" through console.info, that is on stdout, where a command's
// --json output goes. Its warnings and errors (stderr) are kept; this module reports failures itself.
if (dimse.log.getLevel() < dimse.log.levels.WARN) dimse.log.setLevel('warn');

export interface DicomDestination {
  /** Called AE title (the destination's). */
  aeTitle: string;
  host: string;
  port: number;
  /** Our AE title. */
  callingAeTitle: string;
}

export interface SendOptions {
  /** The whole exchange (connect, associate, every store, release) must end within this; default 30 s. */
  timeoutMs?: number;
}

/** A store that did not succeed; `failures` names each instance that was not stored. */
export class StoreFailedError extends Error {
  override name = 'StoreFailedError';
  constructor(message: string, readonly failures: { sopInstanceUid: string; reason: string }[]) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** PS3.8 9.3.4: A-ASSOCIATE-RJ reasons (source 1, the service user), for the error message. */
const REJECT_REASONS: Record<number, string> = {
  1: 'no reason given',
  2: 'application context name not supported',
  3: 'calling AE title not recognized',
  7: 'called AE title not recognized',
};

export function checkDestination(dest: DicomDestination): void {
  for (const [name, v] of [['aeTitle', dest.aeTitle], ['callingAeTitle', dest.callingAeTitle]] as const) {
    if (typeof v !== 'string' || !/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(v) || v.trim() === '') {
      throw new UsageError(`DICOM destination: ${name} "${v}" must be 1-16 printable characters without a backslash`);
    }
  }
  if (typeof dest.host !== 'string' || dest.host === '') throw new UsageError('DICOM destination: host is empty');
  if (!Number.isInteger(dest.port) || dest.port < 1 || dest.port > 65535) {
    throw new UsageError(`DICOM destination: port must be an integer in 1..65535, got ${dest.port}`);
  }
}

interface Outgoing {
  sopClassUid: string;
  sopInstanceUid: string;
  request: InstanceType<typeof CStoreRequest>;
  status: number | null;
  comment: string;
}

/**
 * A dataset that goes on the wire as the very bytes that were built, when the destination accepts
 * their transfer syntax. dcmjs-dimse otherwise writes its own re-encoding of the parsed elements,
 * which changes them: it re-encodes all text as UTF-8 and declares ISO_IR 192, so a Latin-1 patient
 * name copied from the source would no longer be the source's bytes. When the destination takes
 * only another syntax, dcmjs-dimse transcodes to a new (plain) Dataset, and that re-encoding is what
 * is sent: the same content, its text in UTF-8.
 */
class ExactDataset extends Dataset {
  constructor(
    private readonly encoded: Buffer,
    private readonly encodedSyntax: string,
  ) {
    super(encoded, encodedSyntax);
  }

  override getDenaturalizedDataset(writeOptions?: Record<string, unknown>, nameMap?: Record<string, unknown>): Buffer {
    if (this.getTransferSyntaxUid() === this.encodedSyntax) return this.encoded;
    return super.getDenaturalizedDataset(writeOptions, nameMap);
  }
}

/** The dataset after the File Meta Information, with its transfer syntax and identity. */
function prepare(bytes: Uint8Array, index: number): Outgoing {
  const where = `instance ${index + 1}`;
  const dataSet = parseDicomBytes(where, bytes);
  const meta = dataSet.elements.x00020000;
  if (meta === undefined) throw new UsageError(`${where}: not a Part 10 file (no File Meta Information group length)`);
  const datasetStart = meta.dataOffset + meta.length + dataSet.uint32('x00020000')!;
  const sopClassUid = textOf(dataSet, 'x00080016');
  const sopInstanceUid = textOf(dataSet, 'x00080018');
  if (sopClassUid === undefined || sopInstanceUid === undefined) throw new UsageError(`${where}: no SOP Class or SOP Instance UID`);
  const transferSyntax = transferSyntaxOf(dataSet);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset + datasetStart, bytes.length - datasetStart);
  const request = new CStoreRequest(new ExactDataset(buffer, transferSyntax));
  return { sopClassUid, sopInstanceUid, request, status: null, comment: '' };
}

function hex4(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

const stored = (status: number): boolean => status === 0 || (status & 0xf000) === 0xb000;

/** Every failure, a bad destination or instance included, is a rejection (never a synchronous throw). */
export async function sendInstances(dest: DicomDestination, instances: Uint8Array[], options: SendOptions = {}): Promise<void> {
  checkDestination(dest);
  if (instances.length === 0) return;
  const outgoing = instances.map(prepare);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = `${dest.aeTitle}@${dest.host}:${dest.port}`;

  await new Promise<void>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let associationProblem: string | null = null;
    const notAccepted = new Set<Outgoing>();

    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === null) resolve();
      else reject(error);
    };

    const timer = setTimeout(() => {
      associationProblem = `no answer within ${timeoutMs / 1000} s`;
      try {
        client.abort();
      } catch {
        // no network yet: nothing to abort
      }
      finish(failure());
    }, timeoutMs);

    const failure = (): StoreFailedError | null => {
      const failures = outgoing
        .filter((o) => o.status === null || !stored(o.status))
        .map((o) => ({
          sopInstanceUid: o.sopInstanceUid,
          reason: o.status !== null
            ? `status ${hex4(o.status)}${o.comment !== '' ? ` (${o.comment})` : ''}`
            : notAccepted.has(o) ? `SOP class ${o.sopClassUid} not accepted by the destination`
              : associationProblem ?? 'no response before the association ended',
        }));
      if (failures.length === 0) return null;
      // One reason (say a refused association) usually fails them all: say it once, then name them.
      const byReason = new Map<string, string[]>();
      for (const f of failures) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.sopInstanceUid]);
      const list = [...byReason].map(([reason, uids]) => `${reason}: ${uids.join(', ')}`).join('; ');
      return new StoreFailedError(`C-STORE to ${target}: ${failures.length} of ${outgoing.length} instance(s) not stored; ${list}`, failures);
    };

    for (const o of outgoing) {
      o.request.on('response', (response) => {
        o.status = response.getStatus();
        o.comment = response.getErrorComment() ?? '';
      });
      client.addRequest(o.request);
    }
    client.on('associationAccepted', (association) => {
      for (const o of outgoing) {
        if (association.getAcceptedPresentationContextFromRequest(o.request) === undefined) notAccepted.add(o);
      }
    });
    client.on('associationRejected', (rejection: { result: number; source: number; reason: number }) => {
      const why = rejection.source === 1 ? REJECT_REASONS[rejection.reason] ?? `reason ${rejection.reason}` : `source ${rejection.source}, reason ${rejection.reason}`;
      associationProblem = `association rejected (${why})`;
    });
    client.on('networkError', (error: Error) => {
      associationProblem = `network error (${error.message.replace(/^.*->\s*/, '')})`;
      finish(failure());
    });
    client.on('closed', () => finish(failure()));

    client.send(dest.host, dest.port, dest.callingAeTitle, dest.aeTitle, {
      connectTimeout: timeoutMs,
      associationTimeout: timeoutMs,
      pduTimeout: timeoutMs,
      // Released as soon as the last response is in; the default lingers.
      associationLingerTimeout: 0,
    });
  });
}
