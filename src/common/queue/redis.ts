import IORedis, { RedisOptions } from 'ioredis';

/** A connection suitable for BullMQ (workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...extra });
}
