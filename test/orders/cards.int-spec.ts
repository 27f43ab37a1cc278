import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { cardNumberFromSequence, isOurCardNumber } from '../../src/orders/card-number';
import { CardsService } from '../../src/orders/cards.service';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');

describe(CardsService.name, () => {
  let ctx: TestContext;
  let cards: CardsService;
  let cardBase: CardBaseImportService;

  beforeAll(async () => {
    ctx = await openContext('cards');
    cards = new CardsService(ctx.ds, ctx.audit, new OutboxService(), ctx.clock);
    cardBase = new CardBaseImportService(ctx.ds, ctx.audit, new OutboxService());
    await cardBase.importHolders(join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), 't');
  });
  afterAll(async () => ctx.close());

  describe('importHolders', () => {
    it('rejects, with its line, a second active card for one holder, profession and type', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cps-cards-'));
      const [header, first] = readFileSync(join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), 'utf8').split('\n');
      const twin = first.replace('|2900001260|', '|2900099999|');
      const file = join(dir, 'Porteurs_CPS_CPF_202611260600.txt');
      writeFileSync(file, `${[header, twin].join('\n')}\n`);
      const r = await cardBase.importHolders(file, 't');
      expect(r.cardsCreated).toBe(0);
      expect(r.rejects).toEqual([{ line: 2, reason: expect.stringContaining('another active CPS card (2900001260)') }]);
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('allocateNumber', () => {
    it('gives 10-digit Luhn numbers from the sequence, never twice, skipping one already taken', async () => {
      const a = await cards.allocateNumber(ctx.ds.manager);
      const [{ last }] = await ctx.ds.query(`SELECT last_value::text AS last FROM card_number_seq`);
      const next = cardNumberFromSequence(BigInt(last) + 1n);
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, valid_from, valid_until, state, source)
         VALUES ($1, 'CPS', '810000000355', '810000000355', '80', '2020-01-01', '2023-01-01', 'opposed', 'import')`,
        [next],
      );
      const b = await cards.allocateNumber(ctx.ds.manager);
      for (const n of [a, b]) expect(isOurCardNumber(n)).toBe(true);
      expect(new Set([a, b, next]).size).toBe(3);
    });
  });

  describe('activate', () => {
    const OLD = '2900001260'; // LEFÈVRE's active CPS
    const NEW = '3000000018';

    beforeAll(async () => {
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from, valid_until,
                           state, source, replaces_card)
         VALUES ($1, 'CPS', 'CPS4', '810000000355', '810000000355', '80', '2026-11-20', '2032-11-19', 'sent', 'order', $2)`,
        [NEW, OLD],
      );
    });

    it('activates a sent card and opposes the card it replaces, in one step', async () => {
      const r = await cards.activate(NEW, 'batch:auth');
      expect(r).toEqual(expect.objectContaining({ cardNumber: NEW, state: 'active', replaced: OLD }));
      expect(await cards.get(OLD)).toEqual(expect.objectContaining({ state: 'opposed', oppositionReason: 'replacement' }));
      const req = await ctx.ds.query(`SELECT reason, source FROM opposition_request WHERE card_number = $1`, [OLD]);
      expect(req).toEqual([{ reason: 'replacement', source: 'system' }]);
      // one event for the cards the import handed over already opposed, one for this replacement
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'card.opposition-requested'`);
      expect(n).toBe(2);
    });

    it('refuses to activate an active or opposed card (409), and an opposed card never comes back', async () => {
      await expect(cards.activate(NEW, 'batch:auth')).rejects.toMatchObject({ code: 'transition_not_allowed', status: 409 });
      await expect(cards.activate(OLD, 'batch:auth')).rejects.toMatchObject({ code: 'transition_not_allowed', status: 409 });
      expect((await cards.get(OLD)).state).toBe('opposed');
    });

    it('answers 404 for an unknown card and 400 for a malformed number', async () => {
      await expect(cards.activate('1234567890', 'batch:auth')).rejects.toMatchObject({ code: 'card_not_found', status: 404 });
      await expect(cards.get('12')).rejects.toMatchObject({ code: 'validation_failed', status: 400 });
    });
  });
});
