/**
 * The DICOM node: a DIMSE C-ECHO and C-STORE SCP over dcmjs-dimse. Associations are accepted only
 * when the called AE title is ours and, with a list of allowed callers, the calling AE title is in it;
 * presentation contexts only for Verification and storage SOP classes in a transfer syntax the
 * project's reader decodes. A C-STORE dataset is taken as the raw bytes that came over the network
 * (not parsed by dcmjs) and handed to receiveInstance, whose outcome becomes the response status.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../imaging/dicom/codecs/decode-frame.js';
import { TRANSFER_SYNTAX } from '../imaging/dicom/uids.js';
import type { ReceivedMeta } from './part10.js';
import type { ReceiveOutcome } from './receive-instance.js';

const { Scp, Dataset, constants, responses } = dimse;
const { CEchoResponse, CStoreResponse } = responses;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass, Status } = constants;

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
}

export async function startDicomNode(options: DicomNodeOptions): Promise<DicomNode> {
  const { log } = options;

  class StoreScp extends Scp {
    private calling = '';

    override associationRequested(association: InstanceType<typeof dimse.association.Association>): void {
      const called = association.getCalledAeTitle().trim();
      this.calling = association.getCallingAeTitle().trim();
      if (called !== options.aeTitle) {
        log(`dicom: association from "${this.calling}" refused: called AE title "${called}" is not ours (${options.aeTitle})`);
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
        return;
      }
      if (options.allowedCallers !== null && !options.allowedCallers.has(this.calling)) {
        log(`dicom: association from "${this.calling}" refused: calling AE title not in --allowed-callers`);
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
        return;
      }
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
      this.sendAssociationAccept();
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

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: InstanceType<typeof dimse.association.PresentationContext>,
      callback: (dataset: InstanceType<typeof Dataset>) => void,
    ): void {
      // Keep the sender's bytes: an empty dcmjs Dataset carries them to cStoreRequest unparsed.
      const dataset = new Dataset({}, context.getAcceptedTransferSyntaxUid()) as InstanceType<typeof Dataset> & RawDataset;
      dataset.raw = (writable as Writable & { toBuffer(): Buffer }).toBuffer();
      dataset.transferSyntax = context.getAcceptedTransferSyntaxUid();
      callback(dataset);
    }

    override cStoreRequest(request: InstanceType<typeof dimse.requests.CStoreRequest>, callback: (r: InstanceType<typeof CStoreResponse>) => void): void {
      const response = CStoreResponse.fromRequest(request);
      const dataset = request.getDataset() as (InstanceType<typeof Dataset> & RawDataset) | undefined;
      const answer = (status: number, comment?: string): void => {
        response.setStatus(status);
        if (comment !== undefined) response.setErrorComment(comment.slice(0, 64));
        callback(response);
      };
      if (dataset?.raw === undefined || dataset.transferSyntax === undefined) {
        log(`dicom: C-STORE from "${this.calling}" refused: no dataset`);
        answer(CANNOT_UNDERSTAND, 'no dataset');
        return;
      }
      const meta: ReceivedMeta = {
        sopClassUid: (request.getAffectedSopClassUid() ?? '').replace(/\0/g, '').trim(),
        sopInstanceUid: (request.getAffectedSopInstanceUid() ?? '').replace(/\0/g, '').trim(),
        transferSyntaxUid: dataset.transferSyntax,
        callingAeTitle: this.calling,
      };
      options.store(meta, dataset.raw).then(
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

  // dcmjs-dimse's Server listens on every address; the same Scp on our own net server binds to --host.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const scp = new StoreScp(socket, {});
    scp.on('networkError', (error: Error) => {
      log(`dicom: network error: ${error.message}`);
      socket.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
