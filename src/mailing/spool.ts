import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import { removeUnfinishedRenders } from './letters';
import { MailingError } from './mailing.errors';

/**
 * The spool of the batches (DATA_DIR/mailing) and who may draw into it: a batch is rendered
 * by one run at a time, which holds a session-level advisory lock of its own for the whole
 * drawing (a transaction's lock would end with the transaction, long before the PDF). The
 * lock is the batch's number in a lock space of its own (the two-key form, apart from the
 * one-key assembly locks), on a connection kept for it, and PostgreSQL frees it when that
 * session ends, a killed process's included.
 */

/** The first key of the render locks (the second: the batch's number). */
export const RENDER_LOCK_SPACE = 7_264_110;

/** A render lock taken: release it once the drawing is over (its files written, or failed). */
export interface RenderLock {
  release(): Promise<void>;
}

/** How often, and how far apart, a run tries a render lock before it says the batch is being rendered elsewhere. */
const LOCK_TRIES = 5;
const LOCK_RETRY_MS = 200;

/** The temporary file of a PDF being drawn (letters-pdf.ts, intoNewFile): `.batch-<number>-<kind>.pdf.<12 hex>.part`. */
const PART_FILE = /^\.(batch-(\d+)-(?:card-letter|pin-letter)\.pdf)\.[0-9a-f]{12}\.part$/;

async function tryLock(runner: QueryRunner, batchNumber: number): Promise<boolean> {
  const [row]: Array<{ locked: boolean }> = await runner.query(`SELECT pg_try_advisory_lock($1::int, $2::int) AS locked`, [
    RENDER_LOCK_SPACE,
    batchNumber,
  ]);
  return row.locked;
}

async function unlock(runner: QueryRunner, batchNumber: number): Promise<void> {
  await runner.query(`SELECT pg_advisory_unlock($1::int, $2::int)`, [RENDER_LOCK_SPACE, batchNumber]);
}

/**
 * Takes the render lock of batch `batchNumber`, or refuses (409 `batch_in_progress`) when
 * another run holds it (after a few tries over a second: a process killed a moment ago may
 * not have lost its session yet). Nothing is touched before it is taken.
 */
export async function takeRenderLock(ds: DataSource, batchNumber: number): Promise<RenderLock> {
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    for (let i = 0; ; i++) {
      if (await tryLock(runner, batchNumber)) break;
      if (i + 1 >= LOCK_TRIES) {
        throw new MailingError(
          'batch_in_progress',
          `batch ${batchNumber} is being rendered by another run (the worker's daily job or a mailing:batch elsewhere): ` +
            'its files are left to it; run again once it has finished',
          409,
          { batchNumber },
        );
      }
      await sleep(LOCK_RETRY_MS);
    }
  } catch (e) {
    await runner.release();
    throw e;
  }
  return {
    async release() {
      try {
        await unlock(runner, batchNumber);
      } finally {
        await runner.release();
      }
    },
  };
}

/**
 * Removes the temporary files of the PDFs that no run is drawing: those of a run killed
 * midway (for letters of the codes, a part of a PDF that holds codes), whatever the state of
 * their batch now. A batch whose render lock another run holds is left alone; this run's own
 * (the lock is re-entrant in its session) is not: call it before drawing. Gives how many files
 * were removed.
 */
export async function removeAbandonedRenders(ds: DataSource, dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const byBatch = new Map<number, string>();
  for (const name of names) {
    const m = PART_FILE.exec(name);
    if (m) byBatch.set(Number(m[2]), m[1]);
  }
  if (!byBatch.size) return 0;
  const runner = ds.createQueryRunner();
  let removed = 0;
  try {
    await runner.connect();
    for (const [number, pdf] of byBatch) {
      if (!(await tryLock(runner, number))) continue;
      try {
        removed += await removeUnfinishedRenders(join(dir, pdf));
      } finally {
        await unlock(runner, number);
      }
    }
  } finally {
    await runner.release();
  }
  return removed;
}

/**
 * The spool directory, made if missing, and readable by this process's user only (mode 700):
 * an existing directory open to others is closed (chmod 700) when it is ours, and refused when
 * it belongs to another user (who could read every PDF put in it, or change its mode back).
 */
export async function ensureSpoolDir(dir: string, uid: number | undefined = process.getuid?.()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if (!st.isDirectory()) {
    throw new MailingError('mailing_not_configured', `the mailing spool ${dir} is not a directory: move what is there away`, 500);
  }
  if (uid !== undefined && st.uid !== uid) {
    throw new MailingError(
      'mailing_not_configured',
      `the mailing spool ${dir} belongs to uid ${st.uid}, not to this process's user (uid ${uid}): it would hold letters of the ` +
        `codes that user may read; chown it to the user the process runs as, or set DATA_DIR to a directory of its own`,
      500,
    );
  }
  if ((st.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
