import { DomainError } from '../errors/domain-error';
import { errorCode, exitCodeFor, failureMessage, isConnectionLoss } from './cli-output';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('CLI failures', () => {
  describe('isConnectionLoss', () => {
    it('recognises a socket error, a PostgreSQL shutdown or connection exception, and pg\'s "Connection terminated"', () => {
      expect(isConnectionLoss(withCode('write ECONNRESET', 'ECONNRESET'))).toBe(true);
      expect(isConnectionLoss(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
      expect(isConnectionLoss(withCode('the database system is starting up', '57P03'))).toBe(true);
      expect(isConnectionLoss(withCode('connection failure', '08006'))).toBe(true);
      expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    });

    it('leaves other errors alone: a query error, a domain error, a non-error', () => {
      expect(isConnectionLoss(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
      expect(isConnectionLoss(withCode('canceling statement due to statement timeout', '57014'))).toBe(false);
      expect(isConnectionLoss(new Error('file not found'))).toBe(false);
      expect(isConnectionLoss('ECONNRESET')).toBe(false);
    });
  });

  it('names a lost connection, and what to do, instead of a bare socket error (exit code 1)', () => {
    const err = withCode('write ECONNRESET', 'ECONNRESET');
    expect(errorCode(err)).toBe('service_unavailable');
    expect(exitCodeFor(err)).toBe(1);
    expect(failureMessage(err)).toBe(
      'a connection to PostgreSQL (DATABASE_URL) was lost or refused (write ECONNRESET); ' +
        'the interrupted transaction was not committed: run the command again once the service answers',
    );
  });

  it('keeps the message and code of any other failure', () => {
    expect(failureMessage(new Error('boom'))).toBe('boom');
    expect(errorCode(new Error('boom'))).toBe('internal_error');
    const domain = new DomainError('unusable_input', 'bad date', 400);
    expect(errorCode(domain)).toBe('unusable_input');
    expect(failureMessage(domain)).toBe('bad date');
  });
});
