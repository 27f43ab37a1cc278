import { clientAddress } from './auth.guard';

const req = (xff: string | string[] | undefined) => ({ headers: { 'x-forwarded-for': xff }, socket: { remoteAddress: '10.0.0.9' } });

describe('clientAddress', () => {
  it('is the socket peer without TRUST_PROXY, whatever X-Forwarded-For says', () => {
    expect(clientAddress(req('1.2.3.4'), false)).toBe('10.0.0.9');
  });
  it('is the last X-Forwarded-For hop (the one the trusted proxy appended) with TRUST_PROXY, not a forged first one', () => {
    expect(clientAddress(req('6.6.6.6, 203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(req(['6.6.6.6', '203.0.113.8']), true)).toBe('203.0.113.8');
    expect(clientAddress(req(undefined), true)).toBe('10.0.0.9');
    expect(clientAddress(req('6.6.6.6, '), true)).toBe('10.0.0.9');
  });
});
