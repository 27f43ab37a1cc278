import { basename } from 'node:path';
import { DomainError } from '../errors/domain-error';

export const JOBS_ERROR_CODES = ['job_not_found'] as const;
export type JobsErrorCode = (typeof JOBS_ERROR_CODES)[number];

/** Errors of the job runs (GET /api/v1/jobs/:id). */
export class JobsError extends DomainError<JobsErrorCode> {
  static override readonly titles: Readonly<Record<JobsErrorCode, string>> = {
    job_not_found: 'No such job run',
  };
}

/**
 * What a job run shows of the error that ended it: a message a person can read, with no
 * stack and no data of the rows it was working on. A domain error's message is written to
 * be shown; a file system error is named by its code and the file's name; anything else
 * (a database error can quote a row) is summed up, and the worker's log has the details.
 */
export function jobErrorMessage(err: unknown): string {
  if (err instanceof DomainError) return firstLine(err.message);
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.syscall === 'string') {
    const file = e.path ? `"${basename(e.path)}": ` : '';
    return `${file}cannot ${e.syscall} (${e.code}${ERRNO_TEXT[e.code] ? `: ${ERRNO_TEXT[e.code]}` : ''})`;
  }
  const sqlState = (err as { driverError?: { code?: unknown }; code?: unknown } | undefined)?.driverError?.code ?? e?.code;
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
    const what = SQLSTATE_TEXT[sqlState] ?? SQLSTATE_CLASS_TEXT[sqlState.slice(0, 2)];
    if (what) return `database: ${what} (SQLSTATE ${sqlState})`;
  }
  const name = err instanceof Error ? err.name : typeof err;
  return `unexpected error (${name}): the worker's log has the details`;
}

/** Database errors whose cause a person can act on; their text (which can quote a row) is not shown. */
const SQLSTATE_TEXT: Record<string, string> = {
  '57014': 'a statement was cancelled (statement timeout or shutdown)',
  '57P01': 'the database server shut down',
  '40001': 'a conflict with another transaction (it may be run again)',
  '40P01': 'a deadlock with another transaction (it may be run again)',
  '53100': 'the database server is out of disk space',
};
const SQLSTATE_CLASS_TEXT: Record<string, string> = {
  '08': 'the connection to the database failed',
  '53': 'the database server is out of resources',
};

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EIO: 'input/output error',
};

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 4000);
}
