import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parseBusinessDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { rowsReturned } from '../common/database/returning';
import { JobsService } from '../common/jobs/jobs.service';
import { CardsService, type CardView } from '../orders/cards.service';
import { addDays } from '../orders/validity';
import { RppsService } from '../rpps/rpps.service';
import { letterFields, letterRefusal } from './batch-letters';
import { CardsOpposedHandler, CardsPersonalizedHandler } from './card-events.handler';
import { CodeVaultService } from './code-vault.service';
import { CodesSweep, type CodesSweepResult } from './codes-sweep';
import {
  type CardLetter,
  type LetterEncryption,
  type PinLetter,
  removeUnfinishedRenders,
  renderLetters,
  writeManifestCsv,
} from './letters';
import { CARD_OPPOSED, HELD_FOR_GOOD, LETTER_KINDS, LetterKind } from './mailing.entities';
import { MailingError } from './mailing.errors';
import { readPdfPassword } from './pdf-password';
import { layoutPostalAddress } from './postal-address';
import { type ReprintWindow, reprintWindow } from './reprint-window';
import { ensureSpoolDir, removeAbandonedRenders, takeRenderLock } from './spool';

export { type CodesSweepResult, WINDOW_PASSED } from './codes-sweep';

/** What a batch run did: the batch (none when no letter was due), its letters, those held, its files. */
export interface BatchOutcome {
  batchId: string | null;
  number: number | null;
  kind: LetterKind;
  asOf: string;
  letters: number;
  /** Letters due that wait, held with a reason (an address that cannot be laid out, a card opposed). */
  held: number;
  pages: number | null;
  path: string | null;
  manifestPath: string | null;
  /** An interrupted batch rendered again, not a new one. */
  resumed: boolean;
}

/**
 * The reason a letter is held when the address it would go to is one a letter of the same holder
 * and profession came back from: the next card would come back too (or reach whoever is there).
 * It goes once the registry gives another address (held letters are candidates at every run).
 */
export const ADDRESS_RETURNED = 'address returned: a letter sent to this address came back, and the registry address has not changed since';

/** How far ahead of today a batch may be made (its letters dated that day). */
export const MAX_DAYS_AHEAD = 7;

/** One advisory lock per kind: two runs never number the same letters. */
const ASSEMBLY_LOCK: Record<LetterKind, number> = { 'card-letter': 7_264_101, 'pin-letter': 7_264_102 };
/** Letters read from the database per round while a batch is rendered. */
const RENDER_CHUNK = 500;
/** Letters assembled per step (cards, addresses and their layout, then the rows written), the event loop given back between. */
const ASSEMBLY_CHUNK = 1000;
const RENDER_KIND: Record<LetterKind, 'card' | 'pin'> = { 'card-letter': 'card', 'pin-letter': 'pin' };

interface Candidate {
  id: string;
  card_number: string;
  order_id: string;
}

interface BatchRow {
  id: string;
  number: string;
  kind: LetterKind;
  as_of: string;
  state: string;
  letters: number;
  pages: number | null;
  pdf_path: string | null;
  manifest_path: string | null;
}

/**
 * Mailing batches (issue 11): a batch is made in two steps, so that an interrupted run
 * loses and repeats nothing. Assembling numbers the letters due in one transaction (the
 * batch, its letters at their sequences, those held with their reason); rendering writes
 * the PDF (off the event loop, letters/letters-pdf.ts) and the manifest from those rows,
 * and can run again until it succeeds. A run first finishes any batch of its kind left
 * unrendered.
 *
 * Card letters: the cards personalized (card.personalized). PIN letters: the cards whose
 * card letter's batch is at least PIN_LETTER_DELAY_DAYS before the batch's day, and the
 * reprints approved; never in the batch of their card letter (another kind).
 */
@Injectable()
export class MailingBatchesService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly rpps: RppsService,
    private readonly cards: CardsService,
    private readonly vault: CodeVaultService,
    private readonly jobs: JobsService,
    private readonly personalizedCards: CardsPersonalizedHandler,
    private readonly opposedCards: CardsOpposedHandler,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    this.codes = new CodesSweep(ds, audit, vault, cards, cfg.CODES_REPRINT_WINDOW_DAYS);
  }

  private readonly codes: CodesSweep;

  /** The spool: DATA_DIR/mailing, readable by its owner only. */
  spoolDir(): string {
    return resolve(this.cfg.DATA_DIR, 'mailing');
  }

  /**
   * A batch of `kind` for the day `asOf` (default today; a later day, up to MAX_DAYS_AHEAD, for
   * a batch prepared ahead), as a job run (GET /api/v1/jobs shows its progress). A PIN-letter
   * run first sweeps the codes (sweepCodes: past their reprint window, or no longer needed).
   */
  async run(o: {
    kind: LetterKind;
    asOf?: string;
    actor: string;
    onProgress?: (done: number, total: number) => void;
  }): Promise<BatchOutcome> {
    if (!(LETTER_KINDS as readonly string[]).includes(o.kind)) {
      throw new MailingError(
        'mailing_invalid',
        `--kind: expected ${LETTER_KINDS.join(' or ')} (got "${String(o.kind).slice(0, 40)}")`,
        400,
      );
    }
    const today = this.clock.today();
    const asOf = o.asOf === undefined ? today : parseBusinessDate(o.asOf, '--as-of');
    if (asOf < today) throw new MailingError('mailing_invalid', `--as-of ${asOf}: a batch is made for today or a later day`, 400);
    if (asOf > addDays(today, MAX_DAYS_AHEAD)) {
      throw new MailingError('mailing_invalid', `--as-of ${asOf}: at most ${MAX_DAYS_AHEAD} days ahead of today (${today})`, 400);
    }
    const helpdeskPhone = this.helpdeskPhone();
    await this.checkSettings();
    const runId = await this.jobs.create('mailing-batch', o.actor, { kind: o.kind, asOf });
    const reporter = this.jobs.reporter(runId);
    try {
      // The orders module's events not delivered yet (no worker running, or one behind): applied first.
      await this.personalizedCards.catchUp();
      await this.opposedCards.catchUp();
      const swept = o.kind === 'pin-letter' ? await this.codes.sweep(this.clock.now()) : null;
      const destroyed = swept ? swept.pastWindow + swept.ended : 0;
      const outcome = await this.batch(o.kind, asOf, o.actor, runId, helpdeskPhone, (done, total) => {
        reporter.progress(done, total, 'rendering');
        o.onProgress?.(done, total);
      });
      await reporter.flush();
      await this.jobs.succeed(runId, { ...outcome, codesDestroyed: destroyed });
      return outcome;
    } catch (e) {
      await reporter.flush();
      await this.jobs.fail(runId, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private async batch(
    kind: LetterKind,
    asOf: string,
    actor: string,
    runId: string,
    helpdeskPhone: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<BatchOutcome> {
    const o = { kind, asOf, actor, jobRunId: runId, onProgress };
    // What a killed run was drawing (a PDF of codes, in part) goes, whatever its batch: unless another run is drawing it now.
    const spool = this.spoolDir();
    await ensureSpoolDir(spool);
    await removeAbandonedRenders(this.ds, spool);
    const [unfinished]: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM mailing_batch WHERE kind = $1 AND state = 'rendering' ORDER BY number LIMIT 1`,
      [o.kind],
    );
    if (unfinished) return { ...(await this.render(unfinished.id, helpdeskPhone, o.actor, o.onProgress)), resumed: true };
    const assembled = await this.assemble(o.kind, asOf, o.actor, o.jobRunId);
    if (!assembled.batchId) {
      return {
        batchId: null,
        number: null,
        kind: o.kind,
        asOf,
        letters: 0,
        held: assembled.held,
        pages: null,
        path: null,
        manifestPath: null,
        resumed: false,
      };
    }
    return { ...(await this.render(assembled.batchId, helpdeskPhone, o.actor, o.onProgress)), held: assembled.held };
  }

  /** The number printed on the letters; production makes no letter without the agency's own. */
  private helpdeskPhone(): string {
    if (this.cfg.HELPDESK_PHONE) return this.cfg.HELPDESK_PHONE;
    if (this.cfg.NODE_ENV === 'production') {
      throw new MailingError('mailing_not_configured', 'HELPDESK_PHONE is not set: it is printed on every letter', 500);
    }
    return '01 23 45 67 89';
  }

  /**
   * Checks what the letters need of the configuration beyond what loadConfig checks (the PDF
   * password file: there, readable by its owner only, a password of 12 characters or more): the
   * worker at start-up (CodeVaultModule), mailing:batch before it starts. Throws naming the setting.
   */
  async checkSettings(): Promise<void> {
    await this.encryption();
  }

  /** The PDF password (MAILING_PDF_PASSWORD_FILE, first line), or none. */
  private async encryption(): Promise<LetterEncryption | undefined> {
    const file = this.cfg.MAILING_PDF_PASSWORD_FILE;
    return file ? readPdfPassword(file) : undefined;
  }

  /**
   * Numbers the letters due on `asOf` into a new batch, in one transaction; those that cannot
   * go are held with why: a card opposed meanwhile, an address that cannot be laid out or that
   * mail of the same holder and profession came back from (ADDRESS_RETURNED), a letter the
   * letters' own checks refuse (a name too long: letterRefusal), a letter of the codes whose
   * codes are gone (found by SQL: no code is opened here).
   */
  async assemble(
    kind: LetterKind,
    asOf: string,
    actor: string,
    jobRunId: string | null,
  ): Promise<{ batchId: string | null; held: number }> {
    return this.ds.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [ASSEMBLY_LOCK[kind]]);
      const candidates = await this.due(em, kind, asOf);
      const batched: Array<{ id: string; lines: string[]; card: string; order: string }> = [];
      const held: Array<{ id: string; reason: string }> = [];
      // ASSEMBLY_CHUNK letters at a time, the event loop given back between (a daily batch holds tens of thousands).
      for (let from = 0; from < candidates.length; from += ASSEMBLY_CHUNK) {
        if (from) await yieldToEventLoop();
        const chunk = candidates.slice(from, from + ASSEMBLY_CHUNK);
        const cards = new Map(
          (
            await this.cards.byNumbers(
              chunk.map((c) => c.card_number),
              em,
            )
          ).map((c) => [c.cardNumber, c]),
        );
        const addresses = await this.rpps.mailingAddresses(
          chunk.map((c) => ({
            nationalId: cards.get(c.card_number)?.nationalId ?? '',
            professionCode: cards.get(c.card_number)?.professionCode ?? '',
          })),
          em,
        );
        const laidOut: Array<{ c: Candidate; card: CardView; lines: string[] }> = [];
        chunk.forEach((c, i) => {
          const card = cards.get(c.card_number);
          const address = addresses[i];
          if (!card || card.state === 'opposed') held.push({ id: c.id, reason: CARD_OPPOSED });
          else if (!address) held.push({ id: c.id, reason: 'the holder is no longer in the registry with this profession' });
          else {
            const layout = layoutPostalAddress(address.addressee, address.fields);
            if (layout.ok) laidOut.push({ c, card, lines: layout.lines });
            else held.push({ id: c.id, reason: `address: ${layout.reason}` });
          }
        });
        const returned = await this.returnedAddresses(em, laidOut);
        const noCodes = kind === 'pin-letter' ? await this.vault.withoutCodes(laidOut.map((l) => l.c.order_id)) : new Map<string, string>();
        for (const { c, card, lines } of laidOut) {
          const refusal =
            (returned.has(holderAddressKey(card, lines)) ? ADDRESS_RETURNED : null) ??
            letterRefusal(kind, card, lines, asOf) ??
            noCodes.get(c.order_id.toLowerCase()) ??
            null;
          if (refusal) held.push({ id: c.id, reason: refusal });
          else batched.push({ id: c.id, lines, card: c.card_number, order: c.order_id });
        }
      }
      for (let from = 0; from < held.length; from += ASSEMBLY_CHUNK) {
        const part = held.slice(from, from + ASSEMBLY_CHUNK);
        await em.query(
          `UPDATE mailing_letter l SET state = 'held', held_reason = u.reason, updated_at = now()
             FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE l.id = u.id`,
          [part.map((h) => h.id), part.map((h) => h.reason)],
        );
      }
      if (!batched.length) return { batchId: null, held: held.length };
      const [batch]: Array<{ id: string; number: string }> = await em.query(
        `INSERT INTO mailing_batch (kind, as_of, letters, job_run_id, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, number`,
        [kind, asOf, batched.length, jobRunId, actor],
      );
      for (let from = 0; from < batched.length; from += ASSEMBLY_CHUNK) {
        if (from) await yieldToEventLoop();
        const part = batched.slice(from, from + ASSEMBLY_CHUNK);
        await em.query(
          `UPDATE mailing_letter l SET state = 'batched', batch_id = $1, sequence = u.seq, address_lines = u.lines, held_reason = NULL,
                  updated_at = now()
             FROM unnest($2::uuid[], $3::int[], $4::jsonb[]) AS u(id, seq, lines) WHERE l.id = u.id`,
          [batch.id, part.map((b) => b.id), part.map((_, i) => from + i + 1), part.map((b) => JSON.stringify(b.lines))],
        );
        if (kind === 'card-letter') {
          // Each card's PIN letter waits for its day (PIN_LETTER_DELAY_DAYS after this batch's).
          await em.query(
            `INSERT INTO mailing_letter (kind, card_number, order_id, state)
             SELECT 'pin-letter', n, o, 'waiting' FROM unnest($1::text[], $2::uuid[]) AS k(n, o)
             ON CONFLICT (card_number, kind) WHERE reprint_of IS NULL DO NOTHING`,
            [part.map((b) => b.card), part.map((b) => b.order)],
          );
        }
      }
      await this.audit.append(em, {
        actor,
        action: 'mailing.batch.create',
        entity: 'mailing_batch',
        entityId: batch.id,
        details: { number: Number(batch.number), kind, asOf, letters: batched.length, held: held.length },
      });
      return { batchId: batch.id, held: held.length };
    });
  }

  /**
   * Among the letters laid out, the holder, profession and address (holderAddressKey) of those
   * going where a letter of the same holder and profession came back from: the returned letters
   * at these addresses in one query (few: an index of the returned ones), their cards in one more.
   */
  private async returnedAddresses(em: EntityManager, laidOut: Array<{ card: CardView; lines: string[] }>): Promise<Set<string>> {
    if (!laidOut.length) return new Set();
    const addresses = [...new Set(laidOut.map((l) => JSON.stringify(l.lines)))];
    const returned: Array<{ card_number: string; address_lines: string[] }> = await em.query(
      `SELECT DISTINCT card_number, address_lines FROM mailing_letter WHERE state = 'returned' AND address_lines = ANY($1::jsonb[])`,
      [addresses],
    );
    if (!returned.length) return new Set();
    const cards = new Map((await this.cards.byNumbers([...new Set(returned.map((r) => r.card_number))], em)).map((c) => [c.cardNumber, c]));
    const keys = new Set<string>();
    for (const r of returned) {
      const card = cards.get(r.card_number);
      if (card) keys.add(holderAddressKey(card, r.address_lines));
    }
    return keys;
  }

  /**
   * The letters of `kind` due on `asOf`, oldest first, locked for this transaction. The letters
   * held for good (HELD_FOR_GOOD) are not; those held for another reason are tried again.
   */
  private due(em: EntityManager, kind: LetterKind, asOf: string): Promise<Candidate[]> {
    if (kind === 'card-letter') {
      return em.query(
        `SELECT id, card_number, order_id FROM mailing_letter
          WHERE kind = 'card-letter' AND state IN ('waiting', 'held') AND (held_reason IS NULL OR held_reason <> ALL($1::text[]))
          ORDER BY created_at, card_number FOR UPDATE`,
        [HELD_FOR_GOOD],
      );
    }
    return em.query(
      `SELECT p.id, p.card_number, p.order_id FROM mailing_letter p
        WHERE p.kind = 'pin-letter' AND p.state IN ('waiting', 'held') AND (p.held_reason IS NULL OR p.held_reason <> ALL($3::text[]))
          AND (p.reprint_of IS NOT NULL OR EXISTS (
                SELECT 1 FROM mailing_letter c JOIN mailing_batch b ON b.id = c.batch_id
                 WHERE c.card_number = p.card_number AND c.kind = 'card-letter' AND c.reprint_of IS NULL
                   AND c.state IN ('batched', 'printed') AND b.as_of <= $1::date - $2::int))
        ORDER BY p.created_at, p.card_number FOR UPDATE OF p`,
      [asOf, this.cfg.PIN_LETTER_DELAY_DAYS, HELD_FOR_GOOD],
    );
  }

  /**
   * Writes the batch's PDF and manifest from its letters (again, after an interruption: what an
   * interrupted run left is removed first), holding the batch's render lock throughout: another
   * run drawing it gets a 409 `batch_in_progress`, and touches no file. The spool is made
   * owner-only (mode 700) first. A PIN letter whose codes are gone (its card opposed since) is
   * held instead, before anything is drawn.
   */
  async render(
    batchId: string,
    helpdeskPhone: string,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<BatchOutcome> {
    let batch = await this.batchRow(batchId);
    if (batch.state === 'rendering') {
      const lock = await takeRenderLock(this.ds, Number(batch.number));
      try {
        // Read again under the lock: another run may have finished it meanwhile.
        batch = await this.batchRow(batchId);
        if (batch.state === 'rendering') batch = await this.draw(batch, helpdeskPhone, actor, onProgress);
      } finally {
        await lock.release();
      }
    }
    return {
      batchId,
      number: Number(batch.number),
      kind: batch.kind,
      asOf: batch.as_of,
      letters: batch.letters,
      held: 0,
      pages: batch.pages,
      path: batch.pdf_path,
      manifestPath: batch.manifest_path,
      resumed: false,
    };
  }

  /** render's drawing, its render lock held: the batch's files, then the batch marked ready. */
  private async draw(
    batch: BatchRow,
    helpdeskPhone: string,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<BatchRow> {
    const batchId = batch.id;
    if (batch.kind === 'pin-letter') await this.withdrawWithoutCodes(batchId);
    batch = await this.batchRow(batchId);
    const dir = this.spoolDir();
    await ensureSpoolDir(dir);
    const stem = `batch-${batch.number}-${batch.kind}`;
    const path = join(dir, `${stem}.pdf`);
    const manifestPath = join(dir, `${stem}.manifest.csv`);
    // A run interrupted while it drew (its temporary file), or after its files were written and before the batch was marked rendered.
    await removeUnfinishedRenders(path);
    for (const f of [path, manifestPath]) if (existsSync(f)) await rm(f);
    const total = batch.letters;
    const result = await renderLetters(
      RENDER_KIND[batch.kind],
      this.letters(batch, helpdeskPhone) as AsyncIterable<CardLetter & PinLetter>,
      {
        path,
        sender: { name: this.cfg.MAILING_SENDER },
        encryption: await this.encryption(),
        onProgress: (done) => onProgress?.(done, total),
      },
    );
    await writeManifestCsv(manifestPath, result.manifest);
    await this.ds.transaction(async (em) => {
      const done = await rowsReturned(
        em,
        `UPDATE mailing_batch SET state = 'ready', rendered_at = now(), pages = $2, pdf_path = $3, manifest_path = $4
          WHERE id = $1 AND state = 'rendering' RETURNING id`,
        [batchId, result.pages, path, manifestPath],
      );
      if (done.length) {
        await this.audit.append(em, {
          actor,
          action: 'mailing.batch.render',
          entity: 'mailing_batch',
          entityId: batchId,
          details: { number: Number(batch.number), kind: batch.kind, letters: batch.letters, pages: result.pages, bytes: result.bytes },
        });
      }
    });
    return this.batchRow(batchId);
  }

  private async batchRow(id: string): Promise<BatchRow> {
    const [row]: BatchRow[] = await this.ds.query(
      `SELECT id, number::text, kind, to_char(as_of, 'YYYY-MM-DD') AS as_of, state, letters, pages, pdf_path, manifest_path
         FROM mailing_batch WHERE id = $1`,
      [id],
    );
    if (!row) throw new MailingError('batch_not_found', `no mailing batch ${id}`, 404);
    return row;
  }

  /** PIN letters of a batch not yet rendered whose codes are gone: held (never printed), the batch's count updated. */
  private async withdrawWithoutCodes(batchId: string): Promise<void> {
    const rows: Array<{ id: string; order_id: string }> = await this.ds.query(
      `SELECT id, order_id FROM mailing_letter WHERE batch_id = $1 AND state = 'batched'`,
      [batchId],
    );
    const missing = await this.vault.withoutCodes(rows.map((r) => r.order_id));
    const gone = rows.filter((r) => missing.has(r.order_id));
    if (!gone.length) return;
    await this.ds.transaction(async (em) => {
      await em.query(
        `UPDATE mailing_letter l SET state = 'held', held_reason = u.reason, batch_id = NULL, sequence = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE l.id = u.id`,
        [gone.map((g) => g.id), gone.map((g) => missing.get(g.order_id) as string)],
      );
      await em.query(`UPDATE mailing_batch SET letters = (SELECT count(*) FROM mailing_letter WHERE batch_id = $1) WHERE id = $1`, [
        batchId,
      ]);
    });
  }

  /** The batch's letters in sequence order, RENDER_CHUNK at a time: card data from orders, codes from the vault. */
  private async *letters(batch: BatchRow, helpdeskPhone: string): AsyncGenerator<CardLetter | PinLetter> {
    let after = 0;
    for (;;) {
      const rows: Array<{ sequence: number; card_number: string; order_id: string; address_lines: string[] }> = await this.ds.query(
        `SELECT sequence, card_number, order_id, address_lines FROM mailing_letter
          WHERE batch_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
        [batch.id, after, RENDER_CHUNK],
      );
      if (!rows.length) return;
      after = rows[rows.length - 1].sequence;
      const cards = new Map((await this.cards.byNumbers(rows.map((r) => r.card_number))).map((c) => [c.cardNumber, c]));
      const codes = batch.kind === 'pin-letter' ? await this.vault.codesForLetters(rows.map((r) => r.order_id)) : null;
      for (const r of rows) {
        const card = cards.get(r.card_number) as CardView;
        const base = {
          batchNumber: String(batch.number),
          sequence: r.sequence,
          helpdeskPhone,
          letterDate: batch.as_of,
          ...letterFields(batch.kind, card, r.address_lines),
        };
        if (!codes) {
          yield base as CardLetter;
          continue;
        }
        const c = codes.codes.get(r.order_id.toLowerCase());
        if (!c)
          throw new MailingError(
            'codes_destroyed',
            `letter ${r.sequence} of batch ${batch.number}: ${codes.missing.get(r.order_id.toLowerCase())}`,
            409,
          );
        yield { ...(base as Omit<PinLetter, 'pin' | 'puk'>), pin: c.pin, puk: c.puk };
      }
    }
  }

  /**
   * Destroys the codes whose reprint window has closed by `now` (measured from the first printing
   * of the order's letters of the codes, a reprint asked for or waiting notwithstanding), and
   * closes the reprint requests that waited for them. Returns how many orders' codes it destroyed.
   */
  destroyPastWindow(now: Date): Promise<number> {
    return this.codes.destroyPastWindow(now);
  }

  /**
   * The sweep of the codes (codes-sweep.ts): those past their reprint window, and those of the
   * orders cancelled or rejected or whose card is opposed, destroyed (audited, with why); the
   * reprint requests that waited for them closed. Opens no code and needs no letter setting.
   */
  sweepCodes(now: Date): Promise<CodesSweepResult> {
    return this.codes.sweep(now);
  }

  /**
   * sweepCodes as a job run of its own (`codes-sweep` in GET /api/v1/jobs): the worker runs it
   * daily (CODES_SWEEP_CRON), whatever the state of the letters' settings or batches.
   */
  async runCodesSweep(o: { actor: string }): Promise<CodesSweepResult> {
    const runId = await this.jobs.create('codes-sweep', o.actor, {});
    try {
      // The card.opposed events not delivered yet: their codes go, their letters are held.
      await this.opposedCards.catchUp();
      const r = await this.codes.sweep(this.clock.now());
      await this.jobs.succeed(runId, { ...r });
      return r;
    } catch (e) {
      await this.jobs.fail(runId, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /**
   * Whether a reprint of the letter of the codes of `orderId` may still be asked for or approved
   * at `now` (reprint-window.ts: the window closes CODES_REPRINT_WINDOW_DAYS after the first
   * printing of the order's letters of the codes), in the caller's transaction. SQL only: no key.
   */
  reprintWindowOpen(em: EntityManager, orderId: string, now: Date): Promise<ReprintWindow> {
    return reprintWindow(em, orderId, now, this.cfg.CODES_REPRINT_WINDOW_DAYS);
  }
}

/** A holder's profession and an address, as one key (a returned letter's, a letter being assembled). */
function holderAddressKey(card: Pick<CardView, 'nationalId' | 'professionCode'>, lines: string[]): string {
  return JSON.stringify([card.nationalId, card.professionCode, lines]);
}
