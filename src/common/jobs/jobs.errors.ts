import { basename } from 'node:path';
import { DomainError } from '../errors/domain-error';

export type JobsErrorCode = 'job_not_found';

export class JobsError extends DomainError<JobsErrorCode> {}

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
  const name = err instanceof Error ? err.name : typeof err;
  return `unexpected error (${name}): the worker's log has the details`;
}

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
