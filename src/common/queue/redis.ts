import IORedis, { RedisOptions } from 'ioredis';

/** A connection suitable for BullMQ workers (they need maxRetriesPerRequest: null and wait for Redis to come back). */
export function redisConnection(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...extra });
}

/**
 * A connection whose commands fail fast while Redis is unreachable, instead of waiting for
 * it: no offline queue, one retry, bounded connect and command times. For the HTTP API (a
 * route that needs Redis answers 503 within seconds) and the outbox relay (which must not
 * wait on Redis with rows claimed). It reconnects by itself when Redis is back.
 */
export function failFastRedisConnection(url: string, timeoutMs = 2000, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableReadyCheck: true,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

/** Waits until the connection is ready (commands of a fail-fast connection fail before that). */
export async function redisReady(conn: IORedis, timeoutMs: number): Promise<void> {
  if (conn.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      conn.off('ready', ok);
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const ok = () => {
      clearTimeout(t);
      resolve();
    };
    conn.once('ready', ok);
  });
}
