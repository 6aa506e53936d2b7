/**
 * The DICOM node: a DIMSE C-ECHO and C-STORE SCP over dcmjs-dimse. Associations are accepted only
 * when the called AE title is ours and, with a list of allowed callers, the calling AE title is in it;
 * presentation contexts only for Verification and storage SOP classes in a transfer syntax the
 * project's reader decodes. A C-STORE dataset is taken as the raw bytes that came over the network
 * (not parsed by dcmjs) and handed to receiveInstance, whose outcome becomes the response status.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../imaging/dicom/codecs/decode-frame.js';
import { TRANSFER_SYNTAX } from '../imaging/dicom/uids.js';
import type { ReceivedMeta } from './part10.js';
import type { ReceiveOutcome } from './receive-instance.js';
import { PerAddressCap, watchConnection, type ConnectionDeadlines, type DeadlineOptions } from './association-deadlines.js';
import { escapingLog } from './log-line.js';

const { Scp, Dataset, Implementation, constants, responses } = dimse;
const { CEchoResponse, CStoreResponse } = responses;
const { AbortReason, AbortSource, PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass, Status } = constants;

// dcmjs-dimse logs every PDU (and, when asked, datasets with patient names) to the console: silenced;
// this module logs what matters, without PHI.
dimse.log.setLevel('silent');

/** What the reader decodes, plus deflate (the reader inflates it). */
export const ACCEPTED_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([...SUPPORTED_TRANSFER_SYNTAXES, TRANSFER_SYNTAX.deflated]);

/** Storage SOP classes live under this root (PS3.4 Annex B); anything else is not an image to store. */
const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';

/** C-STORE failure statuses (PS3.4 Table B.2-1). */
const CANNOT_UNDERSTAND = 0xc000;
const OUT_OF_RESOURCES = 0xa700;

export interface DicomNodeOptions {
  aeTitle: string;
  /** Largest dataset accepted (bytes); a larger one is refused without being kept in memory. */
  maxDatasetBytes: number;
  /** Most dataset bytes held over all associations at once; a C-STORE past it is refused (out of resources). */
  maxInFlightBytes: number;
  /** Most associations (TCP connections) open at once; more are closed on connect. */
  maxAssociations: number;
  /** Most associations open at once from one remote address (at most maxAssociations); more from it are closed on connect. */
  maxAssociationsPerAddress: number;
  /** How long a connection has to complete its association request, go idle once associated, and last in all. */
  deadlines: DeadlineOptions;
  /** Calling AE titles allowed to associate; null = any. */
  allowedCallers: Set<string> | null;
  host: string;
  port: number;
  log: (line: string) => void;
  store: (meta: ReceivedMeta, dataset: Uint8Array) => Promise<ReceiveOutcome>;
}

export interface DicomNode {
  port: number;
  close(): Promise<void>;
}

interface RawDataset {
  raw?: Uint8Array;
  transferSyntax?: string;
  /** Bytes received when it went over the limit. */
  tooLarge?: number;
  /** The server held too many bytes for all associations together when this one arrived. */
  busy?: boolean;
  /** Gives its bytes back to the node's budget (idempotent). */
  release?: () => void;
}

/** Bytes held by all associations' unfinished C-STOREs together, against one limit. */
class InFlightBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

/**
 * Collects a C-STORE dataset's bytes up to a limit; past it, or when all associations together hold
 * the node's budget, counts and drops them. Its bytes stay counted until release().
 */
class CappedBuffer extends Writable {
  private chunks: Buffer[] = [];
  private held = 0;
  size = 0;
  busy = false;

  constructor(private readonly limit: number, private readonly budget: InFlightBudget) {
    super({ highWaterMark: 1 << 20 });
  }

  get overflow(): boolean {
    return this.size > this.limit;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (!this.overflow && !this.busy && this.budget.used + chunk.length > this.budget.limit) this.busy = true;
    if (this.overflow || this.busy) {
      this.release();
    } else {
      this.chunks.push(chunk);
      this.held += chunk.length;
      this.budget.used += chunk.length;
    }
    callback();
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  release(): void {
    this.chunks = [];
    this.budget.used -= this.held;
    this.held = 0;
  }
}

/** PDU types (PS3.8 §9.3): 1-3 association set-up, 4 P-DATA-TF, 5-6 release, 7 abort. */
const P_DATA_TF = 4;
/** Association, release and abort PDUs are small: a few hundred presentation contexts fit in 64 KiB. */
const MAX_CONTROL_PDU = 64 * 1024;

/**
 * Reads each PDU's 6-byte header (type, reserved, 4-byte big-endian length) as the bytes come in, across
 * chunk boundaries, before the library buffers the PDU: the library keeps a whole PDU of any declared
 * length in memory (concatenating chunk by chunk), so a peer declaring gigabytes is cut off here first.
 * Returns why the connection must be closed, or null.
 */
export function pduGuard(maxDataPdu: number): (chunk: Buffer) => string | null {
  const header = Buffer.alloc(6);
  let headerBytes = 0;
  let bodyLeft = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (bodyLeft > 0) {
        const skip = Math.min(bodyLeft, chunk.length - at);
        bodyLeft -= skip;
        at += skip;
        continue;
      }
      const take = Math.min(6 - headerBytes, chunk.length - at);
      chunk.copy(header, headerBytes, at, at + take);
      headerBytes += take;
      at += take;
      if (headerBytes < 6) break;
      headerBytes = 0;
      const type = header[0];
      const length = header.readUInt32BE(2);
      if (type < 1 || type > 7) return `unknown PDU type 0x${type.toString(16).padStart(2, '0')}`;
      const limit = type === P_DATA_TF ? maxDataPdu : MAX_CONTROL_PDU;
      if (length > limit) return `PDU type ${type} declares ${length} bytes (at most ${limit})`;
      bodyLeft = length;
    }
    return null;
  };
}

/** AE titles come from the network: printable ASCII only in our log lines. */
function printable(ae: string): string {
  return ae.replace(/[^\x20-\x7e]/g, '?');
}

/** What every connection of one node shares. */
interface NodeContext {
  options: DicomNodeOptions;
  /** The node's log, escaping what the sender wrote. */
  log: (line: string) => void;
  budget: InFlightBudget;
}

type Association = InstanceType<typeof dimse.association.Association>;
type CStoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type CStoreResponseType = InstanceType<typeof CStoreResponse>;
type ReceivedDataset = InstanceType<typeof Dataset> & RawDataset;

/** One connection's service provider: associations, C-ECHO, and C-STORE into options.store. */
class StoreScp extends Scp {
  private calling = '';
  /** Set right after construction: this connection's deadlines. */
  deadlines!: ConnectionDeadlines;
  /** This association's unfinished datasets, released when it closes whatever state they are in. */
  readonly buffers = new Set<CappedBuffer>();

  constructor(socket: Socket, private readonly node: NodeContext) {
    super(socket, {});
  }

  override associationRequested(association: Association): void {
    this.calling = printable(association.getCallingAeTitle().trim());
    if (this.rejectedCaller(association)) return;
    acceptPresentationContexts(association);
    this.sendAssociationAccept();
    this.deadlines.associated();
  }

  /** Rejects (and logs) an association not called with our AE title, or from a caller not allowed; true when it did. */
  private rejectedCaller(association: Association): boolean {
    const { options, log } = this.node;
    const called = printable(association.getCalledAeTitle().trim());
    if (called !== options.aeTitle) {
      log(`dicom: association from "${this.calling}" refused: called AE title "${called}" is not ours (${options.aeTitle})`);
      this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
      return true;
    }
    if (options.allowedCallers !== null && !options.allowedCallers.has(this.calling)) {
      log(`dicom: association from "${this.calling}" refused: calling AE title not in --allowed-callers`);
      this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
      return true;
    }
    return false;
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  override abort(): void {
    // The peer aborted: the socket closes; nothing of an unfinished C-STORE was acknowledged.
  }

  override cEchoRequest(request: InstanceType<typeof dimse.requests.CEchoRequest>, callback: (r: InstanceType<typeof CEchoResponse>) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
  }

  override createStoreWritableStream(): Writable {
    const buffer = new CappedBuffer(this.node.options.maxDatasetBytes, this.node.budget);
    this.buffers.add(buffer);
    return buffer;
  }

  override createDatasetFromStoreWritableStream(
    writable: Writable,
    context: InstanceType<typeof dimse.association.PresentationContext>,
    callback: (dataset: InstanceType<typeof Dataset>) => void,
  ): void {
    // Keep the sender's bytes: an empty dcmjs Dataset carries them to cStoreRequest unparsed.
    const dataset = new Dataset({}, context.getAcceptedTransferSyntaxUid()) as ReceivedDataset;
    const buffer = writable as CappedBuffer;
    if (buffer.overflow) dataset.tooLarge = buffer.size;
    else if (buffer.busy) dataset.busy = true;
    else dataset.raw = buffer.toBuffer();
    dataset.release = () => {
      buffer.release();
      this.buffers.delete(buffer);
    };
    dataset.transferSyntax = context.getAcceptedTransferSyntaxUid();
    callback(dataset);
  }

  override cStoreRequest(request: CStoreRequest, callback: (r: CStoreResponseType) => void): void {
    const response = CStoreResponse.fromRequest(request);
    const dataset = request.getDataset() as ReceivedDataset | undefined;
    // The sender waits for our answer while we store: that silence is ours, not its idleness.
    this.deadlines.working();
    const answer = (status: number, comment?: string): void => {
      this.deadlines.done();
      dataset?.release?.();
      response.setStatus(status);
      if (comment !== undefined) response.setErrorComment(comment.slice(0, 64));
      callback(response);
    };
    const refusal = this.datasetRefusal(dataset);
    if (refusal !== null) {
      this.node.log(`dicom: C-STORE from "${this.calling}" refused: ${refusal.reason}`);
      answer(refusal.status, refusal.comment);
      return;
    }
    this.store(request, dataset!, answer);
  }

  /** Why a C-STORE's dataset is refused before it is looked at (too large, the node busy, none), or null. */
  private datasetRefusal(dataset: ReceivedDataset | undefined): { status: number; comment: string; reason: string } | null {
    const { options, budget } = this.node;
    if (dataset?.tooLarge !== undefined) {
      const reason = `dataset of ${(dataset.tooLarge / 1048576).toFixed(2)} MB is larger than --max-dicom-mb (${(options.maxDatasetBytes / 1048576).toFixed(2)} MB)`;
      return { status: OUT_OF_RESOURCES, comment: 'dataset too large', reason };
    }
    if (dataset?.busy === true) {
      const reason = `the associations together hold ${(budget.limit / 1048576).toFixed(0)} MB of datasets (--max-dicom-in-flight-mb); the sender may try again`;
      return { status: OUT_OF_RESOURCES, comment: 'server busy', reason };
    }
    if (dataset?.raw === undefined || dataset.transferSyntax === undefined) return { status: CANNOT_UNDERSTAND, comment: 'no dataset', reason: 'no dataset' };
    return null;
  }

  /** Hands the dataset's bytes to options.store; its outcome becomes the response status. */
  private store(request: CStoreRequest, dataset: ReceivedDataset, answer: (status: number, comment?: string) => void): void {
    const { options, log } = this.node;
    const meta: ReceivedMeta = {
      sopClassUid: (request.getAffectedSopClassUid() ?? '').replace(/\0/g, '').trim(),
      sopInstanceUid: (request.getAffectedSopInstanceUid() ?? '').replace(/\0/g, '').trim(),
      transferSyntaxUid: dataset.transferSyntax!,
      callingAeTitle: this.calling,
    };
    options.store(meta, dataset.raw!).then(
      (outcome) => {
        if (outcome.ok) {
          log(`dicom: stored instance ${outcome.tag} from "${this.calling}"${outcome.duplicate ? ' (already received; not stored again)' : ''}`);
          answer(Status.Success);
        } else {
          log(`dicom: C-STORE from "${this.calling}" ${outcome.kind === 'refused' ? 'refused' : 'failed'}: ${outcome.reason}`);
          answer(outcome.kind === 'refused' ? CANNOT_UNDERSTAND : OUT_OF_RESOURCES, outcome.reason);
        }
      },
      (error: unknown) => {
        log(`dicom: C-STORE from "${this.calling}" failed: ${(error as Error).message}`);
        answer(OUT_OF_RESOURCES, 'could not be stored');
      },
    );
  }
}

/** Verification and storage SOP classes, each in the first syntax the sender proposes that we decode; the rest rejected. */
function acceptPresentationContexts(association: Association): void {
  for (const { context } of association.getPresentationContexts()) {
    const abstract = context.getAbstractSyntaxUid();
    if (abstract !== SopClass.Verification && !abstract.startsWith(STORAGE_ROOT)) {
      context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
      continue;
    }
    // The sender's order is its preference: the first syntax it proposes that we decode.
    const syntax = context.getTransferSyntaxUids().find((ts) => ACCEPTED_TRANSFER_SYNTAXES.has(ts));
    if (syntax === undefined) context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    else context.setResult(PresentationContextResult.Accept, syntax);
  }
}

export async function startDicomNode(options: DicomNodeOptions): Promise<DicomNode> {
  // AE titles, addresses and reasons quoting header values come from the sender: one line each, escaped.
  const node: NodeContext = { options, log: escapingLog(options.log), budget: new InFlightBudget(options.maxInFlightBytes) };
  // dcmjs-dimse's Server listens on every address; the same Scp on our own net server binds to --host.
  const sockets = new Set<Socket>();
  const server = createServer(connectionHandler(node, sockets));
  capAssociations(server, node);
  const port = await listen(server, options.port, options.host);
  return { port, close: () => closeNode(server, sockets) };
}

/** Each connection: admitted under its address's cap, its PDUs guarded, its deadlines watched, its buffers released when it closes. */
function connectionHandler(node: NodeContext, sockets: Set<Socket>): (socket: Socket) => void {
  const { options, log } = node;
  // What we advertise as our maximum P-DATA PDU, plus slack for senders that count the header in it.
  const maxDataPdu = Implementation.getMaxPduLength() + 64 * 1024;
  const perAddress = new PerAddressCap(Math.min(options.maxAssociationsPerAddress, options.maxAssociations));
  return (socket) => {
    const address = socket.remoteAddress ?? '?';
    if (!perAddress.admit(address)) {
      log(`dicom: connection from ${address} closed: ${perAddress.limit} associations from this address are open already (--max-associations-per-address)`);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    guardPdus(socket, maxDataPdu, log);
    const scp = new StoreScp(socket, node);
    scp.deadlines = watchDeadlines(scp, socket, address, options.deadlines, log);
    socket.once('close', () => {
      perAddress.release(address);
      sockets.delete(socket);
      for (const b of scp.buffers) b.release();
      scp.buffers.clear();
    });
    scp.on('networkError', (error: Error) => {
      log(`dicom: network error: ${error.message}`);
      socket.destroy();
    });
  };
}

/** Before the library's own listener: an oversized PDU is refused before it is buffered (pduGuard). */
function guardPdus(socket: Socket, maxDataPdu: number, log: (line: string) => void): void {
  const guard = pduGuard(maxDataPdu);
  const onData = (chunk: Buffer): void => {
    const problem = guard(chunk);
    if (problem === null) return;
    socket.off('data', onData);
    log(`dicom: connection from ${socket.remoteAddress ?? '?'} closed: ${problem}`);
    socket.destroy();
  };
  socket.prependListener('data', onData);
}

/** The connection's deadlines (association-deadlines.ts); one that passes closes it, with an A-ABORT once associated. */
function watchDeadlines(scp: StoreScp, socket: Socket, address: string, deadlines: DeadlineOptions, log: (line: string) => void): ConnectionDeadlines {
  return watchConnection(socket, deadlines, (reason, associated) => {
    log(`dicom: connection from ${address} closed: ${reason}`);
    if (associated) {
      // An A-ABORT tells a real sender that nothing unanswered was stored; then the socket goes.
      scp.sendAbort(AbortSource.ServiceProvider, AbortReason.NotSpecified);
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  });
}

/** --max-associations: the server closes connections past it on connect, and we log each. */
function capAssociations(server: Server, node: NodeContext): void {
  server.maxConnections = node.options.maxAssociations;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    node.log(`dicom: connection from ${data?.remoteAddress ?? '?'} closed: ${node.options.maxAssociations} associations are open already (--max-associations)`);
  });
}

/** Listens on host:port; resolves with the port bound (port 0: the one the system chose). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, and ends every open connection. */
function closeNode(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}
