import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { isProbePath, loggableUrl, pinoOptions } from './logging';

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

describe('log redaction of the console session', () => {
  it('never writes a session cookie, a Set-Cookie, a CSRF token or a set-password link', () => {
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
        req: { headers: { cookie: 'cps_session=SECRET-A', 'x-csrf-token': 'CSRF-B' } },
        res: { headers: { 'set-cookie': 'cps_session=SECRET-C; HttpOnly' } },
        headers: { cookie: 'cps_session=SECRET-D', 'set-cookie': 'cps_session=SECRET-E', 'x-csrf-token': 'CSRF-F' },
        session: { csrfToken: 'CSRF-G', secret: 'SECRET-H' },
        link: { setPasswordUrl: 'http://x/console/mot-de-passe#jeton=LINK-I' },
        cookie: 'cps_session=SECRET-J',
      },
      'console session',
    );
    const out = lines.join('');
    for (const secret of ['SECRET-', 'CSRF-', 'LINK-']) expect(out).not.toContain(secret);
    expect(out).toContain('[Redacted]');
  });
});

describe('log redaction of database errors', () => {
  it("keeps a failed statement's text but not its values nor PostgreSQL's detail", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino(pinoOptions(loadConfig({})), sink);
    const raw = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      detail: 'Key (national_id)=(810000000355) already exists.',
    });
    const typeorm = Object.assign(new Error('query failed'), {
      query: 'SELECT 1 FROM t WHERE k = $1',
      parameters: ['810000000355', 'idem-key-42'],
      driverError: raw,
    });
    log.error({ err: typeorm }, 'request failed');
    log.error({ err: raw }, 'request failed');
    const out = lines.join('');
    expect(out).not.toContain('810000000355');
    expect(out).not.toContain('idem-key-42');
    expect(out).toContain('SELECT 1 FROM t WHERE k = $1');
    expect(out).toContain('23505');
  });
});

describe(loggableUrl.name, () => {
  it('shows the route pattern when it is known', () => {
    expect(loggableUrl('/api/v1/professionals/810000000355', '/api/v1/professionals/:nationalId')).toBe(
      '/api/v1/professionals/:nationalId',
    );
  });

  it('masks identifiers and drops the query string otherwise', () => {
    expect(loggableUrl('/api/v1/professionals/810000000355?x=1')).toBe('/api/v1/professionals/:n');
    expect(loggableUrl('/api/v1/professionals?name=Dupont&profession=10')).toBe('/api/v1/professionals');
    expect(loggableUrl('/api/v1/orders/5fc53c86-c427-4a5a-bef7-32fd36111701/approve')).toBe('/api/v1/orders/:id/approve');
    expect(loggableUrl('/api/v1/cards/2900995235/status')).toBe('/api/v1/cards/:n/status');
  });
});

describe('loggableUrl with a catch-all pattern', () => {
  it('masks the path instead of naming the middleware catch-all', () => {
    expect(loggableUrl('/api/v1/professionals/810000000355?name=x', '/{*path}')).toBe('/api/v1/professionals/:n');
  });
});

describe('isProbePath', () => {
  it('matches /health (its /live and /ready) and /metrics in any case, with a query string or a trailing slash, and nothing else', () => {
    for (const u of ['/health', '/METRICS', '/Metrics/', '/health?x=1', '/health/live', '/Health/Ready/'])
      expect(isProbePath(u)).toBe(true);
    for (const u of ['/api/v1/jobs', '/metricsx', '/health/x', undefined]) expect(isProbePath(u)).toBe(false);
  });
});
