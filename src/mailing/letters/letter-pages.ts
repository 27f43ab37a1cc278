import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Bwip from 'bwip-js';
import { MailingError } from '../mailing.errors';
import type { BodyBlock, PagePlan } from './letter-text';
import type { PageStamps } from './page-stamps';

/** bwip-js, loaded when a first barcode is drawn (see loadPdfkit in letter-pdf-writer.ts). */
function loadBwip(): typeof Bwip {
  return require('bwip-js');
}

/**
 * The drawing of one letter page on A4 (pdfkit), from its plan (letter-text.ts). Positions
 * in millimetres from the top left corner of the sheet.
 *
 * The sheet is folded in three (panels of 99 mm) for a DL (110 × 220 mm) or C5/6 window
 * envelope. The usual French window is 45 × 100 mm, 20 mm from the right edge and 15 mm from
 * the bottom of the envelope (La Poste's "Guide pratique courrier", zones of a mechanisable
 * letter), which puts it over 100-200 mm from the left and 50-95 mm from the top of the
 * sheet; the common advice for the address block (edics.fr, "Rédiger vos adresses : les
 * bonnes pratiques", after La Poste) is a frame of 85 × 33 mm, 110 mm from the left edge and
 * 55 mm from the top, in a 9 to 12 point font. The address here starts 110 mm from the left
 * and 50 mm from the top, at 10 points: 6 lines take 25 mm, inside the window even when the
 * sheet slides a few millimetres in the envelope.
 *
 * The top panel shows through the window: it carries only the sender, the barcode and the
 * address. The codes of the PIN letter are in the middle panel, covered by the two others
 * once folded; the card's place is in the middle panel too, clear of both folds.
 */

const MM = 72 / 25.4;
const mm = (v: number) => v * MM;

export const PAGE = { width: mm(210), height: mm(297) };
const LEFT = mm(20);
const WIDTH = mm(170);
/** The lowest the text may end: 12 mm above the bottom edge (the longest texts end at 283 mm). */
const BOTTOM = mm(285);
const FOLDS = [mm(99), mm(198)];
export const ADDRESS_BOX = { x: mm(110), y: mm(50), width: mm(85) };
/** The card's place (ID-1: 85.6 × 54 mm) in the middle panel, right-aligned. */
export const CARD_AREA = { x: mm(190 - 85.6), y: mm(132), width: mm(85.6), height: mm(54) };
const BARCODE = { x: LEFT, y: mm(70), height: mm(10), module: mm(0.33), maxWidth: mm(75) };

const SIZE = { body: 10, small: 8.5, address: 10, object: 10.5, sender: 11, code: 16 };
const GREY = '#555555';

export const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

/**
 * The folder of the embedded fonts: assets/fonts at the root of the repository, found by
 * going up from this file's folder. That works from src/mailing/letters (ts-jest) and from
 * dist/src/mailing/letters (the build, which copies nothing: the image copies assets/ beside dist/).
 */
export function fontsDir(from: string = __dirname): string {
  const tried: string[] = [];
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'assets', 'fonts');
    if (existsSync(join(candidate, FONT_FILES.regular))) return candidate;
    tried.push(candidate);
  }
  throw new MailingError('letter_render_failed', `the letters' fonts (${FONT_FILES.regular}) are not in ${tried.join(', ')}`, 500);
}

/** Registers the two fonts of the letters on `doc` (embedded, subset by pdfkit). */
export function registerFonts(doc: PDFKit.PDFDocument, dir: string = fontsDir()): void {
  doc.registerFont('regular', join(dir, FONT_FILES.regular));
  doc.registerFont('bold', join(dir, FONT_FILES.bold));
}

/** The bars and spaces of a Code 128 symbol (in modules, a bar first), from bwip-js. */
export function code128Modules(text: string): number[] {
  const [symbol] = loadBwip().raw('code128', text, {}) as Array<{ sbs?: number[] }>;
  if (!symbol?.sbs) throw new MailingError('letter_render_failed', 'the barcode library gave no Code 128 bars', 500);
  return symbol.sbs;
}

/** A Code 128 barcode of `text` drawn as vector bars (one `re` operator each, written at once), its text under it. */
function drawBarcode(doc: PDFKit.PDFDocument, text: string, bars: readonly number[]): void {
  const modules = bars.reduce((a, b) => a + b, 0);
  const module = Math.min(BARCODE.module, BARCODE.maxWidth / modules);
  const rects: string[] = [];
  let x = BARCODE.x;
  bars.forEach((w, i) => {
    if (i % 2 === 0) rects.push(`${x.toFixed(3)} ${BARCODE.y.toFixed(3)} ${(w * module).toFixed(3)} ${BARCODE.height.toFixed(3)} re`);
    x += w * module;
  });
  doc.addContent(rects.join('\n'));
  doc.fillColor('black').fill();
  doc.font('regular').fontSize(SIZE.small);
  const under = BARCODE.x + (modules * module - doc.widthOfString(text)) / 2;
  doc.text(text, under, BARCODE.y + BARCODE.height + mm(1), { lineBreak: false });
}

/** `text` from (x, y) within `width`: wrapped only when it does not fit on one line (pdfkit's line wrapper is slow). */
function fitText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number): void {
  if (text.includes('\n') || doc.widthOfString(text) > width) {
    doc.text(text, x, y, { width });
    return;
  }
  doc.text(text, x, y, { lineBreak: false }); // moves the cursor right, not down, as the wrapper would
  doc.x = x;
  doc.y = y + doc.currentLineHeight(true);
}

function drawBlock(doc: PDFKit.PDFDocument, b: BodyBlock): void {
  const opts = { width: WIDTH, lineGap: 1.5 };
  switch (b.t) {
    case 'heading':
      doc.moveDown(0.5).font('bold').fontSize(SIZE.body).text(b.text, LEFT, doc.y, opts);
      doc.moveDown(0.15);
      return;
    case 'para':
      doc.font('regular').fontSize(SIZE.body).text(b.text, LEFT, doc.y, opts);
      return;
    case 'lead':
      doc.moveDown(0.6);
      doc
        .font('bold')
        .fontSize(SIZE.body)
        .text(b.text ? `${b.lead} ` : b.lead, LEFT, doc.y, { ...opts, continued: !!b.text });
      if (b.text) doc.font('regular').text(b.text, opts);
      return;
    case 'notice': {
      doc.moveDown(1);
      const pad = mm(3);
      const top = doc.y;
      const inner = { width: WIDTH - 2 * pad, lineGap: 1.5 };
      doc
        .font('bold')
        .fontSize(SIZE.body)
        .text(`${b.lead} `, LEFT + pad, top + pad, { ...inner, continued: true });
      doc.font('regular').text(b.text, inner);
      const bottom = doc.y + pad;
      doc
        .lineWidth(1.2)
        .rect(LEFT, top, WIDTH, bottom - top)
        .stroke('black');
      doc.x = LEFT;
      doc.y = bottom;
      return;
    }
  }
}

/** Black ink, a thin line: what a recorded part starts from (a form inherits the page's state). */
function reset(doc: PDFKit.PDFDocument): PDFKit.PDFDocument {
  return doc.fillColor('black').strokeColor('black').lineWidth(1).undash();
}

/** The fold marks, the sender and the helpdesk line: the same on every letter of a batch. */
function drawSender(doc: PDFKit.PDFDocument, p: PagePlan): void {
  reset(doc).lineWidth(0.4).strokeColor('#999999');
  for (const y of FOLDS) doc.moveTo(0, y).lineTo(mm(6), y).stroke();
  doc
    .font('bold')
    .fontSize(SIZE.sender)
    .text(p.sender.name, LEFT, mm(16), { width: mm(80) });
  doc.font('regular').fontSize(SIZE.small);
  for (const line of p.sender.addressLines ?? []) doc.text(line, { width: mm(80) });
  doc.moveDown(0.4).text(p.helpdesk, { width: mm(80) });
}

/** The address in the envelope's window, one line each, never wrapped (at most 38 characters). */
function drawAddress(doc: PDFKit.PDFDocument, lines: readonly string[]): void {
  doc.fillColor('black').font('regular').fontSize(SIZE.address);
  let y = ADDRESS_BOX.y;
  for (const line of lines) {
    doc.text(line, ADDRESS_BOX.x, y, { lineBreak: false });
    y += SIZE.address * 1.2;
  }
}

/** The card's place (dashed, with its label): the same on every card letter. */
function drawCardPlace(doc: PDFKit.PDFDocument): void {
  const a = CARD_AREA;
  reset(doc).lineWidth(0.6).dash(3, { space: 2 }).roundedRect(a.x, a.y, a.width, a.height, mm(3.2)).stroke('#777777').undash();
  doc.fillColor('#888888').font('regular').fontSize(SIZE.small);
  const label = 'Emplacement de la carte';
  doc.text(label, a.x + (a.width - doc.widthOfString(label)) / 2, a.y + a.height / 2 - SIZE.small / 2, { lineBreak: false });
}

/** The card letter's facts beside the card's place. */
function drawFacts(doc: PDFKit.PDFDocument, facts: ReadonlyArray<[string, string]>): void {
  const a = CARD_AREA;
  const width = a.x - LEFT - mm(4);
  let y = a.y;
  for (const [label, value] of facts) {
    doc.fillColor(GREY).font('regular').fontSize(SIZE.small).text(label, LEFT, y, { lineBreak: false });
    doc.fillColor('black').font('bold').fontSize(SIZE.body);
    fitText(doc, value, LEFT, y + SIZE.small * 1.25, width);
    y = doc.y + mm(1.1);
  }
  doc.x = LEFT;
  doc.y = Math.max(y, a.y + a.height) + mm(2);
}

const CODES = { pad: mm(4), row: SIZE.code * 1.6 };

/** The frame of the PIN letter's codes and their labels (the same on every PIN letter), from `top`. */
function drawCodesFrame(doc: PDFKit.PDFDocument, labels: readonly string[], top: number): void {
  reset(doc).font('regular').fontSize(SIZE.body);
  labels.forEach((label, i) => {
    doc.text(label, LEFT + CODES.pad, top + CODES.pad + i * CODES.row + (SIZE.code - SIZE.body) / 2, { lineBreak: false });
  });
  const bottom = top + CODES.pad * 2 + labels.length * CODES.row - SIZE.code * 0.4;
  doc
    .lineWidth(1.5)
    .rect(LEFT, top, WIDTH, bottom - top)
    .stroke('black');
  doc.y = bottom;
}

/** The PIN letter's codes (and the card they open) in their frame. */
function drawCodes(doc: PDFKit.PDFDocument, stamps: PageStamps, codes: NonNullable<PagePlan['codes']>): void {
  const top = doc.y + mm(4);
  const labels = codes.map((c) => c.label);
  stamps.place(`codes at ${top.toFixed(2)}\n${labels.join('\n')}`, () => drawCodesFrame(doc, labels, top));
  const bottom = doc.y;
  codes.forEach((c, i) => {
    const y = top + CODES.pad + i * CODES.row;
    if (c.big)
      doc
        .fillColor('black')
        .font('bold')
        .fontSize(SIZE.code)
        .text(c.value, LEFT + mm(70), y, { characterSpacing: 2, lineBreak: false });
    else
      doc
        .fillColor('black')
        .font('regular')
        .fontSize(SIZE.body)
        .text(c.value, LEFT + mm(70), y + (SIZE.code - SIZE.body) / 2, { lineBreak: false });
  });
  doc.x = LEFT;
  doc.y = bottom + mm(2);
}

/** The body blocks, the closing and the signature, from the cursor down. */
function drawBody(doc: PDFKit.PDFDocument, blocks: readonly BodyBlock[], p: PagePlan): void {
  reset(doc);
  for (const b of blocks) drawBlock(doc, b);
  doc.moveDown(1).font('regular').fontSize(SIZE.body).fillColor('black').text(p.closing, LEFT, doc.y, { width: WIDTH });
  doc.moveDown(0.8).font('bold').text(p.sender.name, LEFT, doc.y, { width: WIDTH, align: 'right' });
}

const TOP_OF_TEXT = mm(119);

/**
 * Draws `p` on a new page of `doc`, its barcode's bars given. What is the same on every
 * letter of a batch goes through `stamps` (drawn once, placed again); what is the letter's
 * own (barcode, address, reference, facts, codes) is drawn on the page.
 */
export function drawPage(doc: PDFKit.PDFDocument, p: PagePlan, bars: readonly number[], stamps: PageStamps): void {
  doc.addPage({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 } });
  stamps.place(`sender\n${p.sender.name}\n${(p.sender.addressLines ?? []).join('\n')}\n${p.helpdesk}`, () => drawSender(doc, p));
  drawBarcode(doc, p.barcode, bars);
  drawAddress(doc, p.address);
  doc.fillColor(GREY).font('regular').fontSize(SIZE.small).text(p.reference, LEFT, mm(104), { lineBreak: false });
  doc.fillColor('black').fontSize(SIZE.body);
  doc.text(p.date, LEFT + WIDTH - doc.widthOfString(p.date), mm(104), { lineBreak: false });
  stamps.place(`object\n${p.object}\n${p.greeting}`, () => {
    reset(doc).font('bold').fontSize(SIZE.object).text(p.object, LEFT, mm(111), { width: WIDTH });
    doc.font('regular').fontSize(SIZE.body).text(p.greeting, LEFT, TOP_OF_TEXT, { width: WIDTH });
  });
  doc.x = LEFT;
  doc.y = TOP_OF_TEXT + SIZE.body * 1.6;
  if (p.intro) {
    const intro = p.intro;
    const y = doc.y;
    stamps.place(`intro at ${y.toFixed(2)}\n${JSON.stringify(intro)}`, () => {
      reset(doc).y = y;
      for (const b of intro) drawBlock(doc, b);
    });
  }
  if (p.facts) {
    stamps.place('card place', () => drawCardPlace(doc));
    drawFacts(doc, p.facts);
  }
  if (p.codes) drawCodes(doc, stamps, p.codes);
  const y = doc.y;
  stamps.place(`body at ${y.toFixed(2)}\n${JSON.stringify(p.body)}\n${p.closing}\n${p.sender.name}`, () => {
    doc.y = y;
    drawBody(doc, p.body, p);
  });
  if (doc.y > BOTTOM) {
    throw new MailingError('letter_render_failed', `the ${p.kind} letter's text runs past the bottom of the page`, 500);
  }
}
