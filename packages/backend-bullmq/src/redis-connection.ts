/**
 * Connecting to Redis safely: a non-loopback server without a password or without TLS is refused
 * unless the user opts out, and a connection that cannot be made fails in seconds with the server's
 * reason (ioredis alone retries a wrong password forever).
 */
import { isIP } from 'node:net';
import { Redis } from 'ioredis';

/** How long a connection may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Errors no retry will mend. */
const FATAL = /WRONGPASS|NOAUTH|invalid password|invalid username|NOPERM/i;

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * @throws TypeError for a URL that is not `redis://` or `rediss://`; Error for a remote server
 *   without a password or TLS while `allowInsecure` is not set.
 */
export function checkRedisUrl(url: string, allowInsecure: boolean, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what}: not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(
      `${what}: the Redis URL must start with redis:// or rediss://, got ${parsed.protocol}`,
    );
  }
  if (!allowInsecure && !isLoopback(parsed.hostname)) {
    if (!parsed.password) {
      throw new Error(
        `${what}: refusing ${parsed.hostname} without a password: anyone who can reach it could run code on the worker hosts. Give a password (redis://user:password@host), or allowInsecure: true`,
      );
    }
    if (parsed.protocol !== 'rediss:') {
      throw new Error(
        `${what}: refusing ${parsed.hostname} without TLS: the password and the tasks would cross the network in clear. Use rediss://, or allowInsecure: true`,
      );
    }
  }
  return parsed;
}

/** A connected client, or a rejection naming the server's reason within about five seconds. */
export async function connectRedis(url: URL): Promise<Redis> {
  let lastError: Error | undefined;
  const redis = new Redis(url.href, {
    lazyConnect: true,
    // BullMQ's workers need this; a call made while disconnected waits for the connection.
    maxRetriesPerRequest: null,
    retryStrategy: (times) =>
      lastError && FATAL.test(lastError.message) ? null : Math.min(times * 100, 1_000),
  });
  const onError = (error: Error) => {
    lastError = error;
  };
  redis.on('error', onError);
  const shown = `${url.protocol}//${url.host}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`cannot connect to Redis at ${shown} within ${CONNECT_TIMEOUT_MS} ms`, {
              cause: lastError,
            }),
          ),
        CONNECT_TIMEOUT_MS,
      );
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      redis.once('end', () => {
        clearTimeout(timer);
        reject(
          new Error(`cannot connect to Redis at ${shown}: ${lastError?.message ?? 'connection closed'}`, {
            cause: lastError,
          }),
        );
      });
      redis.connect().catch(() => {}); // reported through 'error' and 'end'
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}
