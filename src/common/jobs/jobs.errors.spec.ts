import { DomainError } from '../errors/domain-error';
import { jobErrorMessage } from './jobs.errors';

describe(jobErrorMessage.name, () => {
  it('keeps the message of a domain error (written to be shown), first line only', () => {
    expect(jobErrorMessage(new DomainError('unusable_input', '"x.txt": no usable line\nmore'))).toBe('"x.txt": no usable line');
  });

  it('names a file system error by its code and the file name, not its path', () => {
    const e = Object.assign(new Error("EACCES: permission denied, open '/data/import/PS_x.txt'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/data/import/PS_x.txt',
    });
    expect(jobErrorMessage(e)).toBe('"PS_x.txt": cannot open (EACCES: permission denied)');
  });

  it('sums up any other error without its text (a database error can quote a row) and without a stack', () => {
    const e = new Error('duplicate key value violates unique constraint: Key (national_id)=(810000000355) already exists');
    const m = jobErrorMessage(e);
    expect(m).toBe("unexpected error (Error): the worker's log has the details");
    expect(m).not.toMatch(/810000000355|\bat\b.*:\d+/);
  });

  it('names the database errors a person can act on by their SQLSTATE, not their text', () => {
    const e = Object.assign(new Error('canceling statement due to statement timeout'), { driverError: { code: '57014' } });
    expect(jobErrorMessage(e)).toBe('database: a statement was cancelled (statement timeout or shutdown) (SQLSTATE 57014)');
  });
});
