import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { pinoOptions } from './logging';
import {
  acceptedRequestId,
  currentRequestId,
  REQUEST_ID_PAYLOAD_KEY,
  requestIdOf,
  requestIdOfPayload,
  withRequestId,
} from './request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('keeps a short plain X-Request-Id, and refuses one too long, empty, repeated or with other characters', () => {
    for (const ok of [
      'abc',
      'e2e-42',
      '5fc53c86-c427-4a5a-bef7-32fd36111701',
      'Root=1-67891233-abcdef012345678912345678',
      'a'.repeat(128),
    ]) {
      expect(acceptedRequestId(ok)).toBe(ok);
    }
    for (const bad of ['', 'a'.repeat(129), 'two words', 'x"y', 'line\nbreak', 'é', '<script>', ['a', 'b'], undefined]) {
      expect(acceptedRequestId(bad)).toBeNull();
    }
  });

  it('takes the header of a request when usable, else makes a UUID, and keeps what it decided', () => {
    const req = (h?: string | string[]) => ({ headers: h === undefined ? {} : { 'x-request-id': h } }) as unknown as IncomingMessage;
    expect(requestIdOf(req('given-1'))).toBe('given-1');
    expect(requestIdOf(req())).toMatch(UUID);
    expect(requestIdOf(req('bad id'))).toMatch(UUID);
    const r = req();
    expect(requestIdOf(r)).toBe(requestIdOf(r));
  });

  it('is current inside withRequestId, across awaits, and not outside', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen = await withRequestId('req-7', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return currentRequestId();
    });
    expect(seen).toBe('req-7');
    expect(currentRequestId()).toBeUndefined();
    expect(withRequestId(undefined, () => currentRequestId())).toBeUndefined();
  });

  it('reads the id an outbox payload carries, ignoring a missing or unusable one', () => {
    expect(requestIdOfPayload({ jobRunId: '1', [REQUEST_ID_PAYLOAD_KEY]: 'req-9' })).toBe('req-9');
    expect(requestIdOfPayload({ requestId: 'an opposition request, not ours' })).toBeUndefined();
    expect(requestIdOfPayload({ [REQUEST_ID_PAYLOAD_KEY]: 'bad id' })).toBeUndefined();
    expect(requestIdOfPayload(null)).toBeUndefined();
  });

  it('puts the current id on every log line once, whether or not the logger holds it already', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino(pinoOptions(loadConfig({})), sink);
    log.info('outside');
    withRequestId('req-log', () => {
      log.info('inside');
      log.child({ requestId: 'req-log' }).info('bound');
    });
    expect(lines.map((l) => JSON.parse(l).requestId)).toEqual([undefined, 'req-log', 'req-log']);
    expect(lines[2].match(/"requestId"/g)).toHaveLength(1);
  });
});
