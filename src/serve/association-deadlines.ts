/**
 * Deadlines for one DICOM connection, so that a peer that connects and then sends nothing, or one byte
 * now and then, cannot hold an association slot for ever. dcmjs-dimse's own timeouts (connect,
 * association, PDU) are started by its Server, which we do not use (our net server binds --host), so
 * none of them applies to the Scp made on our socket; these replace them:
 *   - associate: from connect until the A-ASSOCIATE-RQ has been read and answered. Nothing else is
 *     sent before it, so a peer that has not finished it by then is not a DICOM sender.
 *   - idle: once associated, the longest silence from the peer while it owes us something (it waits
 *     for nothing: no C-STORE of its is being stored while the clock runs).
 *   - whole: the longest an association may last from connect, whatever it does, so that a trickle
 *     just inside the idle deadline still ends.
 */
import type { Socket } from 'node:net';
import { UsageError } from '../util/errors.js';

export interface DeadlineOptions {
  associateMs: number;
  idleMs: number;
  wholeMs: number;
}

export interface ConnectionDeadlines {
  /** The association request was answered (accepted): the associate deadline no longer applies. */
  associated(): void;
  /** A C-STORE of this peer is being stored: the peer rightly waits, so silence is not idleness. */
  working(): void;
  /** That C-STORE was answered. */
  done(): void;
  stop(): void;
}

/**
 * The DICOM connection deadlines in milliseconds, checked. The associate deadline is short because a
 * real sender sends its association request at once; the idle one matches common PACS defaults (30 s);
 * the whole one leaves a long batch room but still ends a trickle that stays just inside the idle one.
 */
export function dicomDeadlines(o: { dicomAssociateSeconds?: number; dicomIdleSeconds?: number; dicomAssociationSeconds?: number }): DeadlineOptions {
  const check = (value: number, name: string, max: number): number => {
    if (!(Number.isFinite(value) && value > 0 && value <= max)) throw new UsageError(`--${name}: a number of seconds in (0, ${max}]`);
    return Math.round(value * 1000);
  };
  return {
    associateMs: check(o.dicomAssociateSeconds ?? 10, 'dicom-associate-seconds', 300),
    idleMs: check(o.dicomIdleSeconds ?? 30, 'dicom-idle-seconds', 3600),
    wholeMs: check(o.dicomAssociationSeconds ?? 600, 'dicom-association-seconds', 86400),
  };
}

const seconds = (ms: number): string => `${+(ms / 1000).toFixed(3)} s`;

/**
 * Arms the deadlines on `socket`; `expire` is called once, with why, when one passes (the caller
 * aborts the association and closes the socket). Stops by itself when the socket closes.
 */
export function watchConnection(socket: Socket, o: DeadlineOptions, expire: (reason: string, associated: boolean) => void): ConnectionDeadlines {
  let isAssociated = false;
  let busy = 0;
  let over = false;
  const fire = (reason: string): void => {
    if (over) return;
    over = true;
    stop();
    expire(reason, isAssociated);
  };
  const associate = setTimeout(() => fire(`no complete association request within ${seconds(o.associateMs)} (--dicom-associate-seconds)`), o.associateMs);
  const whole = setTimeout(() => fire(`the association lasted ${seconds(o.wholeMs)} (--dicom-association-seconds)`), o.wholeMs);
  let idle: NodeJS.Timeout | null = null;
  const armIdle = (): void => {
    if (idle !== null) clearTimeout(idle);
    idle = isAssociated && busy === 0 && !over ? setTimeout(() => fire(`nothing received for ${seconds(o.idleMs)} (--dicom-idle-seconds)`), o.idleMs) : null;
  };
  // Any byte from the peer is activity; refresh() re-arms the same timer without a new allocation.
  const onData = (): void => {
    idle?.refresh();
  };
  socket.on('data', onData);
  function stop(): void {
    clearTimeout(associate);
    clearTimeout(whole);
    if (idle !== null) clearTimeout(idle);
    idle = null;
    socket.off('data', onData);
  }
  socket.once('close', stop);
  return {
    associated: () => {
      if (over || isAssociated) return;
      isAssociated = true;
      clearTimeout(associate);
      armIdle();
    },
    working: () => {
      busy++;
      armIdle();
    },
    done: () => {
      busy = Math.max(0, busy - 1);
      armIdle();
    },
    stop: () => {
      over = true;
      stop();
    },
  };
}

/** Connections open per remote address, against a cap, so that one address cannot take every slot. */
export class PerAddressCap {
  private readonly open = new Map<string, number>();
  constructor(readonly limit: number) {}

  /** Counts the connection in and returns true, or returns false when its address is at the cap. */
  admit(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.limit) return false;
    this.open.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1;
    if (n <= 0) this.open.delete(address);
    else this.open.set(address, n);
  }
}
