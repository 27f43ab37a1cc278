import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type PDFDocumentClass from 'pdfkit';
import { isPrintableLine, isSenderName, MAX_SENDER_NAME_LENGTH } from '../../common/config/letter-settings';
import { MailingError } from '../mailing.errors';
import { type CardLetter, checkLetter, type LetterKind, letterName, type PinLetter, postalCodeOf } from './letter-data';
import { code128Modules, drawPage, registerFonts } from './letter-pages';
import { cardLetterPlan, type LetterSender, type PagePlan, pinLetterPlan } from './letter-text';
import { PageStamps } from './page-stamps';

/** pdfkit, loaded when a first PDF is made: the processes that load this module and draw nothing (the API, most CLI commands) do not pay for it. */
function loadPdfkit(): typeof PDFDocumentClass {
  return require('pdfkit');
}

/**
 * One PDF of a batch of letters of one kind, a page per letter in sequence order, written as
 * a stream to a new file: the drawing code that both the worker thread (letters.worker.ts)
 * and the in-process path (renderLettersInProcess) run. It checks every letter, keeps the
 * batch whole (one batch number, sequences rising), and gives the manifest row of each page.
 */

/** A line of the postal manifest: never a code, nor the card number. */
export interface ManifestRow {
  batchNumber: string;
  sequence: number;
  /** The first address line. */
  addressee: string;
  /** The postal code of a French address, '' abroad. */
  postalCode: string;
  kind: LetterKind;
  /** The letter's page in the PDF, from 1. */
  page: number;
}

/** AES-256 (PDF 1.7 extension level 3): the PDF opens with the user password only. */
export interface LetterEncryption {
  userPassword: string;
  ownerPassword: string;
}

export interface LetterPdfSettings {
  sender: LetterSender;
  encryption?: LetterEncryption;
  /** Benchmark floor: every page is one constant letter, prepared once (the letters given only count pages). */
  floor?: boolean;
}

/** The constant letters of the floor mode (fake data). */
export const FLOOR_LETTERS: { card: CardLetter; pin: PinLetter } = {
  card: {
    batchNumber: 'FLOOR',
    sequence: 1,
    addressLines: ['DR CLAIRE MARTIN', 'CABINET MEDICAL DES LILAS', '12 RUE DES LILAS', '75019 PARIS'],
    cardType: 'CPS',
    generation: 'CPS4',
    cardNumber: '2900000001',
    validFrom: '2026-11-30',
    validUntil: '2032-11-29',
    holderName: 'Dr Claire MARTIN',
    professionLabel: 'Médecin',
    helpdeskPhone: '0 800 00 00 00',
    letterDate: '2026-11-30',
  },
  pin: {
    batchNumber: 'FLOOR',
    sequence: 1,
    addressLines: ['DR CLAIRE MARTIN', 'CABINET MEDICAL DES LILAS', '12 RUE DES LILAS', '75019 PARIS'],
    cardType: 'CPS',
    generation: 'CPS4',
    cardLast4: '0001',
    pin: '0000',
    puk: '00000000',
    helpdeskPhone: '0 800 00 00 00',
    letterDate: '2026-11-30',
  },
};

/** The plan of a page for `letter`, already checked. */
function planOf(kind: LetterKind, letter: CardLetter | PinLetter, sender: LetterSender): PagePlan {
  return kind === 'card' ? cardLetterPlan(letter as CardLetter, sender) : pinLetterPlan(letter as PinLetter, sender);
}

/** The settings as a refusal names them: checked once, before any file is made. */
export function checkSettings(kind: unknown, settings: LetterPdfSettings): void {
  const problems: string[] = [];
  if (kind !== 'card' && kind !== 'pin') problems.push('kind: expected card or pin');
  const s = settings.sender;
  if (!isSenderName(s?.name)) problems.push(`sender.name: expected printable text of at most ${MAX_SENDER_NAME_LENGTH} characters`);
  const lines = s?.addressLines ?? [];
  if (!Array.isArray(lines) || lines.length > 3 || !lines.every((l) => isPrintableLine(l, 50))) {
    problems.push('sender.addressLines: expected at most 3 printable lines of at most 50 characters');
  }
  const e = settings.encryption;
  if (e !== undefined) {
    const password = (v: unknown) => typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= 127;
    if (!password(e.userPassword)) problems.push('encryption.userPassword: expected 1 to 127 bytes');
    if (!password(e.ownerPassword)) problems.push('encryption.ownerPassword: expected 1 to 127 bytes');
  }
  if (problems.length) {
    throw new MailingError('letter_invalid', `the letters cannot be rendered: ${problems.join('; ')}`, 400, { problems });
  }
}

/** Bytes of PDF drawn but not yet handed to the file beyond which the drawing waits. */
const BUFFERED_LIMIT = 4 * 1024 * 1024;

/** Words whose layout a font keeps (see trimLayoutCaches). */
export const LAYOUT_CACHE_WORDS = 2000;

/**
 * pdfkit keeps the layout of every word it has drawn, for each font, for the life of the
 * document (EmbeddedFont.layoutCache, not part of its API): with a name, a reference and
 * codes of its own on every letter, about 10 kB a letter, 100 MB for a batch of 10,000.
 * Past `limit` words a font's cache starts again (the words all letters share are laid out
 * once more). Gives how many font caches it looked at: 0 means pdfkit changed (a test checks).
 */
export function trimLayoutCaches(doc: PDFKit.PDFDocument, limit = LAYOUT_CACHE_WORDS): number {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: Record<string, unknown> }> })._fontFamilies;
  let seen = 0;
  for (const font of Object.values(families ?? {})) {
    if (!font.layoutCache) continue;
    seen++;
    if (Object.keys(font.layoutCache).length > limit) font.layoutCache = {};
  }
  return seen;
}

export class LetterPdfWriter {
  private readonly doc: PDFKit.PDFDocument;
  private readonly out: WriteStream;
  private readonly stamps: PageStamps;
  private readonly floorPage?: { plan: PagePlan; bars: number[]; row: Omit<ManifestRow, 'sequence' | 'page'> };
  private pages = 0;
  private last?: { batchNumber: string; sequence: number };
  private failure?: Error;

  /** A writer of a new file `file` (mode 0600; an existing file is an error), once the file is open. */
  static async open(kind: LetterKind, file: string, settings: LetterPdfSettings): Promise<LetterPdfWriter> {
    const writer = new LetterPdfWriter(kind, file, settings);
    if (!writer.out.pending) return writer;
    try {
      await once(writer.out, 'ready');
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer;
  }

  private constructor(
    private readonly kind: LetterKind,
    file: string,
    private readonly settings: LetterPdfSettings,
  ) {
    checkSettings(kind, settings);
    if (settings.floor) {
      const letter = FLOOR_LETTERS[kind];
      const plan = planOf(kind, letter, settings.sender);
      const row = {
        batchNumber: letter.batchNumber,
        addressee: letter.addressLines[0],
        postalCode: postalCodeOf(letter.addressLines),
        kind,
      };
      this.floorPage = { plan, bars: code128Modules(plan.barcode), row };
    }
    const e = settings.encryption;
    const PDFDocument = loadPdfkit();
    this.doc = new PDFDocument({
      autoFirstPage: false,
      size: 'A4',
      lang: 'fr-FR',
      info: {
        Title: kind === 'card' ? 'Courriers de carte' : 'Courriers de codes confidentiels',
        Author: settings.sender.name,
      },
      ...(e ? { pdfVersion: '1.7ext3' as const, userPassword: e.userPassword, ownerPassword: e.ownerPassword } : {}),
      ...(e ? { permissions: { printing: 'highResolution' as const } } : {}),
    });
    registerFonts(this.doc);
    this.stamps = new PageStamps(this.doc);
    // Opened last: nothing above can fail with the file made.
    this.out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (err) => {
      this.failure ??= err;
    });
    this.doc.pipe(this.out);
  }

  /** Draws the page of `letter` (checked first) and gives its manifest row. */
  add(letter: unknown): ManifestRow {
    if (this.failure) throw this.failure;
    const page = this.pages + 1;
    if (this.floorPage) {
      const f = this.floorPage;
      drawPage(this.doc, f.plan, f.bars, this.stamps);
      this.pages = page;
      return { ...f.row, sequence: page, page };
    }
    const l = checkLetter(this.kind, letter);
    if (this.last && l.batchNumber !== this.last.batchNumber) {
      throw new MailingError(
        'letter_invalid',
        `${letterName(l)}: one PDF holds one batch, and it began with batch ${this.last.batchNumber}`,
      );
    }
    if (this.last && l.sequence <= this.last.sequence) {
      throw new MailingError(
        'letter_invalid',
        `${letterName(l)} comes after letter ${this.last.sequence}: letters must come in rising sequence order`,
      );
    }
    const plan = planOf(this.kind, l, this.settings.sender);
    try {
      drawPage(this.doc, plan, code128Modules(plan.barcode), this.stamps);
    } catch (err) {
      if (err instanceof MailingError) throw new MailingError(err.code, `${letterName(l)}: ${err.message}`, err.status);
      throw err;
    }
    this.last = { batchNumber: l.batchNumber, sequence: l.sequence }; // not the letter: its codes go with the chunk
    this.pages = page;
    return {
      batchNumber: l.batchNumber,
      sequence: l.sequence,
      addressee: l.addressLines[0],
      postalCode: postalCodeOf(l.addressLines),
      kind: this.kind,
      page,
    };
  }

  /** Waits while more than a few megabytes of drawn PDF wait for the file (the drawing never outruns the disk by much). */
  async settle(): Promise<void> {
    trimLayoutCaches(this.doc);
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.out.writableNeedDrain) await once(this.out, 'drain');
      else if (this.doc.readableLength > BUFFERED_LIMIT) await nextTurn();
      else return;
    }
  }

  /** Ends the document and waits until the file is written and closed. */
  async end(): Promise<{ pages: number }> {
    if (this.failure) throw this.failure;
    const closed = once(this.out, 'close');
    this.doc.end();
    await closed;
    if (this.failure) throw this.failure;
    return { pages: this.pages };
  }

  /** Stops writing after a failure (the caller removes the file). */
  async abort(): Promise<void> {
    this.doc.unpipe(this.out);
    if (!this.out.closed) {
      const closed = once(this.out, 'close').catch(() => undefined);
      this.out.destroy();
      await closed;
    }
  }
}
