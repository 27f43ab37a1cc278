import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { pinoOptions } from './logging';

describe('log redaction', () => {
  it('never writes a PIN, a PUK, a token or an authorization header', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const redactingLog = pino(pinoOptions(loadConfig({})), sink);
    redactingLog.info(
      {
        pin: '1234',
        puk: '87654321',
        token: 'cps_secret',
        req: { headers: { authorization: 'Bearer cps_secret' } },
        letter: { pin: '4321', puk: '12345678' },
      },
      'codes generated',
    );
    const out = lines.join('');
    for (const secret of ['1234', '87654321', 'cps_secret', '4321', '12345678']) expect(out).not.toContain(secret);
    expect(out).toContain('[Redacted]');
  });
});
