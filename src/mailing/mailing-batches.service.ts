import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
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
import { CardsService, CardView } from '../orders/cards.service';
import { addDays } from '../orders/validity';
import { RppsService } from '../rpps/rpps.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from './card-events.handler';
import { CodeVaultService } from './code-vault.service';
import {
  type CardGeneration,
  type CardLetter,
  type CardType,
  type LetterEncryption,
  type PinLetter,
  removeUnfinishedRenders,
  renderLetters,
  writeManifestCsv,
} from './letters';
import { LETTER_KINDS, LetterKind } from './mailing.entities';
import { MailingError } from './mailing.errors';
import { layoutPostalAddress } from './postal-address';

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

/** The reason recorded when the reprint window of a printed PIN letter has passed. */
export const WINDOW_PASSED = 'reprint window passed';

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
  ) {}

  /** The spool: DATA_DIR/mailing, readable by its owner only. */
  spoolDir(): string {
    return resolve(this.cfg.DATA_DIR, 'mailing');
  }

  /**
   * A batch of `kind` for the day `asOf` (default today; a later day, up to MAX_DAYS_AHEAD, for
   * a batch prepared ahead), as a job run (GET /api/v1/jobs shows its progress). A PIN-letter
   * run first destroys the codes whose reprint window has passed.
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
    const runId = await this.jobs.create('mailing-batch', o.actor, { kind: o.kind, asOf });
    const reporter = this.jobs.reporter(runId);
    try {
      // The orders module's events not delivered yet (no worker running, or one behind): applied first.
      await this.personalizedCards.catchUp();
      await this.opposedCards.catchUp();
      const destroyed = o.kind === 'pin-letter' ? await this.destroyPastWindow(this.clock.now()) : 0;
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

  /** The PDF password (MAILING_PDF_PASSWORD_FILE, first line), or none. */
  private encryption(): LetterEncryption | undefined {
    const file = this.cfg.MAILING_PDF_PASSWORD_FILE;
    if (!file) return undefined;
    const password = readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
    if (password.length < 12) {
      throw new MailingError(
        'mailing_not_configured',
        `MAILING_PDF_PASSWORD_FILE ${file}: its first line must hold a password of 12 characters or more`,
        500,
      );
    }
    return { userPassword: password, ownerPassword: password };
  }

  /**
   * Numbers the letters due on `asOf` into a new batch, in one transaction; those that cannot
   * go (an address that cannot be laid out, a card opposed meanwhile) are held with why.
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
        chunk.forEach((c, i) => {
          const card = cards.get(c.card_number);
          const address = addresses[i];
          if (!card || card.state === 'opposed') held.push({ id: c.id, reason: 'card opposed' });
          else if (!address) held.push({ id: c.id, reason: 'the holder is no longer in the registry with this profession' });
          else {
            const layout = layoutPostalAddress(address.addressee, address.fields);
            if (layout.ok) batched.push({ id: c.id, lines: layout.lines, card: c.card_number, order: c.order_id });
            else held.push({ id: c.id, reason: `address: ${layout.reason}` });
          }
        });
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

  /** The letters of `kind` due on `asOf`, oldest first, locked for this transaction. */
  private due(em: EntityManager, kind: LetterKind, asOf: string): Promise<Candidate[]> {
    if (kind === 'card-letter') {
      return em.query(
        `SELECT id, card_number, order_id FROM mailing_letter
          WHERE kind = 'card-letter' AND state IN ('waiting', 'held') AND held_reason IS DISTINCT FROM 'card opposed'
          ORDER BY created_at, card_number FOR UPDATE`,
      );
    }
    return em.query(
      `SELECT p.id, p.card_number, p.order_id FROM mailing_letter p
        WHERE p.kind = 'pin-letter' AND p.state IN ('waiting', 'held') AND p.held_reason IS DISTINCT FROM 'card opposed'
          AND (p.reprint_of IS NOT NULL OR EXISTS (
                SELECT 1 FROM mailing_letter c JOIN mailing_batch b ON b.id = c.batch_id
                 WHERE c.card_number = p.card_number AND c.kind = 'card-letter' AND c.reprint_of IS NULL
                   AND c.state IN ('batched', 'printed') AND b.as_of <= $1::date - $2::int))
        ORDER BY p.created_at, p.card_number FOR UPDATE OF p`,
      [asOf, this.cfg.PIN_LETTER_DELAY_DAYS],
    );
  }

  /**
   * Writes the batch's PDF and manifest from its letters (again, after an interruption: what an
   * interrupted run left is removed first). A PIN letter whose codes are gone (its card opposed
   * since) is held instead, before anything is drawn.
   */
  async render(
    batchId: string,
    helpdeskPhone: string,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<BatchOutcome> {
    let batch = await this.batchRow(batchId);
    if (batch.state === 'rendering') {
      if (batch.kind === 'pin-letter') await this.withdrawWithoutCodes(batchId);
      batch = await this.batchRow(batchId);
      const dir = this.spoolDir();
      await mkdir(dir, { recursive: true, mode: 0o700 });
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
          encryption: this.encryption(),
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
      batch = await this.batchRow(batchId);
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
          addressLines: r.address_lines,
          cardType: card.cardType as CardType,
          generation: (card.generation ?? 'CPS3') as CardGeneration,
          helpdeskPhone,
          letterDate: batch.as_of,
        };
        if (!codes) {
          yield {
            ...base,
            cardNumber: card.cardNumber,
            validFrom: card.validFrom,
            validUntil: card.validUntil,
            // The card's names; a card recorded without them (none in the registry's content) is named as the address is.
            holderName: `${card.firstName} ${card.lastName}`.trim() || r.address_lines[0],
            professionLabel: card.professionLabel ?? card.professionCode,
          };
          continue;
        }
        const c = codes.codes.get(r.order_id.toLowerCase());
        if (!c)
          throw new MailingError(
            'codes_destroyed',
            `letter ${r.sequence} of batch ${batch.number}: ${codes.missing.get(r.order_id.toLowerCase())}`,
            409,
          );
        yield { ...base, cardLast4: card.cardNumber.slice(-4), pin: c.pin, puk: c.puk };
      }
    }
  }

  /**
   * Destroys the codes whose PIN letters were all printed more than CODES_REPRINT_WINDOW_DAYS
   * ago, with no reprint waiting (daily, before the PIN letters' batch). Returns how many.
   */
  async destroyPastWindow(now: Date): Promise<number> {
    return this.ds.transaction(async (em) => {
      const due: Array<{ order_id: string }> = await em.query(
        `SELECT l.order_id FROM mailing_letter l
          WHERE l.kind = 'pin-letter'
          GROUP BY l.order_id
         HAVING bool_and(l.state IN ('printed', 'returned')) AND max(l.printed_at) < $1::timestamptz - make_interval(days => $2::int)
            AND NOT EXISTS (SELECT 1 FROM mailing_reprint_request r JOIN mailing_letter x ON x.id = r.letter_id
                             WHERE x.order_id = l.order_id AND r.state = 'requested')`,
        [now, this.cfg.CODES_REPRINT_WINDOW_DAYS],
      );
      return (
        await this.vault.destroy(
          em,
          due.map((d) => d.order_id),
          WINDOW_PASSED,
          'system:vault',
        )
      ).length;
    });
  }
}
