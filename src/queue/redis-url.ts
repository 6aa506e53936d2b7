/**
 * The --queue URL: redis://[user:password@]HOST:PORT[/DB] (rediss:// for TLS). At start the URL is
 * tried once, briefly, so a wrong or unreachable queue is a one-line error naming it (exit 2); once
 * running, every connection reconnects for ever, so a Redis that goes away makes workers wait, not die.
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { InputError, UsageError } from '../util/errors.js';

export function parseQueueUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue ${url}: not a URL (expected redis://HOST:PORT)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(`--queue ${url}: expected a redis:// or rediss:// URL`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UsageError(`--queue ${url}: the database after the port must be a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db === '' ? 0 : Number(db),
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Options for a long-lived connection: reconnect for ever (capped backoff), and queue commands while away. */
export function queueConnection(url: string): ConnectionOptions & RedisOptions {
  return {
    ...parseQueueUrl(url),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(250 * times, 3000),
  };
}

/** Connects once with a short timeout; an InputError naming the URL when no Redis answers there. */
export async function probeQueue(url: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis({
    ...parseQueueUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | null = null;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const e = (lastError ?? error) as NodeJS.ErrnoException;
    throw new InputError(`--queue ${url}: cannot reach the queue (${e.code ?? e.message})`);
  } finally {
    redis.disconnect();
  }
}
