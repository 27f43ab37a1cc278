import { connectFailureReason, serviceAddress } from './preflight';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('CLI preflight', () => {
  it('names a service by host and port, never its credentials or database', () => {
    expect(serviceAddress('postgres://app:secret@db.example:6543/cps', 5432)).toBe('db.example:6543');
    expect(serviceAddress('postgres://postgres@127.0.0.1/cps', 5432)).toBe('127.0.0.1:5432');
  });

  it('says in a few words why a connection failed', () => {
    expect(connectFailureReason(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 3000)).toBe('connection refused');
    expect(connectFailureReason(withCode('getaddrinfo ENOTFOUND nowhere', 'ENOTFOUND'), 3000)).toBe('host not found');
    expect(connectFailureReason(new Error('Connection terminated due to connection timeout'), 3000)).toBe('no answer within 3 s');
    expect(connectFailureReason(new Error('Connection terminated unexpectedly'), 3000)).toBe(
      'connection closed before the server answered',
    );
    expect(connectFailureReason(withCode('role "nobody" does not exist', '28000'), 3000)).toBe('role "nobody" does not exist');
  });
});
