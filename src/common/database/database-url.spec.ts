import { createdMeanwhile } from './database-url';

describe('createdMeanwhile (another process created the database between our check and our CREATE)', () => {
  it('is true for 23505 on pg_database_datname_index (both CREATEs at once)', () => {
    expect(createdMeanwhile({ code: '23505', constraint: 'pg_database_datname_index' })).toBe(true);
  });

  it('is false for 23505 on another constraint', () => {
    expect(createdMeanwhile({ code: '23505', constraint: 'users_email_key', message: 'duplicate key value' })).toBe(false);
  });

  it('is true for 42P04 (duplicate_database)', () => {
    expect(createdMeanwhile({ code: '42P04', message: 'database "cps" already exists' })).toBe(true);
  });

  it('is false for another code', () => {
    expect(createdMeanwhile({ code: '42501', constraint: 'pg_database_datname_index' })).toBe(false);
    expect(createdMeanwhile(new Error('connection refused'))).toBe(false);
  });
});
