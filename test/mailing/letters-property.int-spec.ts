import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { type CardCodes, CodeVaultService } from '../../src/mailing/code-vault.service';
import { MailingBatchesService } from '../../src/mailing/mailing-batches.service';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import { layoutPostalAddress, MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES, postalCapitals } from '../../src/mailing/postal-address';
import { cardNumberFromSequence } from '../../src/orders/card-number';
import { CardsService } from '../../src/orders/cards.service';
import { OrdersService } from '../../src/orders/orders.service';
import { addDays } from '../../src/orders/validity';
import { letterAddressee, type RegistryAddressFields } from '../../src/rpps/mailing-address';
import { openContext, TestContext, testConfig } from '../support/context';
import { activeHolders, approvedOrders, type Holder } from '../support/orders';
import { testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

/** How many holders each generated registry gives an address to, and how many registries are tried. */
const PER_RUN = 12;
const RUNS = 2;

// Registry values as the extract writes them: capitals or not, accents, apostrophes, hyphens.
const WORDS = ['Émile', 'Zola', 'Hôtel-Dieu', 'Œillets', 'Saint-Étienne', 'Bâtiment', 'Résidence', 'Les Tilleuls', 'Château', 'D’Arc'];
const WORDS_UPPER = ['ÉCOLE', 'GARE', 'LIBÉRATION', 'MARÉCHAL', 'FOCH', 'DES ÉCOLES', 'HÔPITAL', 'NOTRE-DAME', "L'ÉGLISE", 'FAÏENCERIE'];
const TOWNS = ['Paris', 'Saint-Étienne', 'Châlons-en-Champagne', "L'Haÿ-les-Roses", 'Évry-Courcouronnes', 'Æsch', 'LYON', 'Pont-l’Évêque'];
const COUNTRIES: Array<[string, string]> = [
  ['99109', 'Allemagne'],
  ['99131', 'Belgique'],
  ['99139', 'Portugal'],
  ['99140', 'Suisse'],
];
const NAMES_FIRST = ['Élodie', 'Gaëlle', 'François', 'Anaïs', 'Jérôme', 'Noël', 'Zoé', 'Marie-Hélène', 'Jean-Baptiste-Édouard'];
const NAMES_LAST = ['LEFÈVRE', 'MÜLLER', "D'ALMEIDA", 'NGUYEN', 'DE LA FONTAINE-SAINT-ÉLOI', 'ÇELIK', 'BÉRÉGOVOY', 'Œ'];

const words = (from: string[], max: number) => fc.array(fc.constantFrom(...from), { minLength: 1, maxLength: max }).map((w) => w.join(' '));
const maybe = (a: fc.Arbitrary<string>) => fc.option(a, { nil: '', freq: 2 });

/** A registry identity and the address of its first practice situation, accents included; some cannot be laid out. */
const registryEntry = fc.record({
  firstName: fc.constantFrom(...NAMES_FIRST),
  lastName: fc.constantFrom(...NAMES_LAST),
  civilityPracticeCode: fc.constantFrom('DR', 'PR', ''),
  civilityCode: fc.constantFrom('M', 'MME', ''),
  fields: fc
    .record({
      recipientComplement: maybe(words(WORDS, 4)),
      building: maybe(words([...WORDS, ...WORDS_UPPER], 3)),
      streetNumber: maybe(fc.integer({ min: 1, max: 9999 }).map(String)),
      repetitionIndex: maybe(fc.constantFrom('B', 'T', 'Q', 'C')),
      streetTypeLabel: maybe(fc.constantFrom('Rue', 'Avenue', 'Boulevard', 'Place', 'Allée', 'Chemin', 'Quai', 'Impasse')),
      streetLabel: words([...WORDS, ...WORDS_UPPER], 5),
      distributionMention: maybe(fc.constantFrom('BP 12', 'CS 30001', 'TSA 70011', 'Lieu-dit Les Côtes')),
      postalCode: fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[0-9]{5}$/) }, { weight: 1, arbitrary: fc.constant('') }),
      town: fc.constantFrom(...TOWNS),
      abroad: fc.option(fc.constantFrom(...COUNTRIES), { nil: null, freq: 4 }),
      cedex: fc.boolean(),
    })
    .map(
      ({ abroad, cedex, ...f }): RegistryAddressFields => ({
        ...f,
        // The extract's "Bureau cedex" is the whole distribution line.
        cedexOffice: cedex && !abroad && f.postalCode ? `${f.postalCode} ${postalCapitals(f.town)} CEDEX 0${f.postalCode[4]}` : '',
        countryCode: abroad ? abroad[0] : '99000',
        countryLabel: abroad ? abroad[1] : 'France',
      }),
    ),
});
type RegistryEntry = typeof registryEntry extends fc.Arbitrary<infer T> ? T : never;

/**
 * Letters over generated registry entries (issue 11, item 2), through the batch path (the
 * registry's rows, the orders and their codes, card-letter then PIN-letter batches drawn by the
 * built worker, npm run build first): every letter's address has at most 6 lines of at most 38
 * characters, ending with the postal code and town (or cedex) line in capitals without accents,
 * or abroad with the country; a letter whose address cannot be laid out is held with a reason
 * and not printed; each PIN letter holds exactly its own order's codes and never the full card
 * number.
 */
describe('the letters of generated registry addresses', () => {
  let ctx: TestContext;
  let dir: string;
  let vault: CodeVaultService;
  let cards: CardsService;
  let batches: MailingBatchesService;
  let orders: OrdersService;
  let outbox: OutboxService;
  let holders: Holder[];
  let nextCard = 700_000_000;

  const pdfPages = (pdf: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\f');

  /** The manifest's rows: the page of each sequence. */
  const manifestPages = (file: string) => {
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    const cols = header.split(';').length > 1 ? ';' : ',';
    const names = header.split(cols);
    return new Map(
      rows.map((r) => {
        const v = r.split(cols);
        return [Number(v[names.indexOf('sequence')]), Number(v[names.indexOf('page')])];
      }),
    );
  };

  beforeAll(async () => {
    ctx = await openContext('letters-property');
    dir = mkdtempSync(join(tmpdir(), 'letters-property-'));
    const cfg = testConfig({ DATA_DIR: dir, HELPDESK_PHONE: '01 45 67 89 10' });
    outbox = new OutboxService();
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, ctx.clock, outbox);
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
    vault = testVault(ctx.ds, { dataDir: dir }, ctx.audit);
    batches = new MailingBatchesService(
      ctx.ds,
      ctx.audit,
      ctx.rpps,
      cards,
      vault,
      new JobsService(ctx.ds),
      new CardsPersonalizedHandler(ctx.ds, cards, outbox),
      new CardsOpposedHandler(ctx.ds, cards, vault, outbox),
      ctx.clock,
      cfg,
    );
    await ctx.imports.run({ files: [day1], actor: 't' });
    holders = await activeHolders(ctx, PER_RUN * RUNS);
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `e` into the registry as `h`'s identity and first practice situation of the profession. */
  async function register(h: Holder, e: RegistryEntry): Promise<void> {
    await ctx.ds.query(
      `UPDATE rpps_professional SET first_name = $2, last_name = $3, civility_practice_code = $4, civility_code = $5 WHERE national_id = $1`,
      [h.national_id, e.firstName, e.lastName, e.civilityPracticeCode, e.civilityCode],
    );
    const f = e.fields;
    const [, updated] = await ctx.ds.query(
      `UPDATE rpps_situation s SET recipient_complement = $3, geo_complement = $4, street_number = $5, repetition_index = $6,
              street_type_label = $7, street_label = $8, distribution_mention = $9, cedex = $10, postal_code = $11, city = $12,
              country_code = $13, country_label = $14
        WHERE s.national_id = $1 AND s.profession_code = $2
          AND s.source_line = (SELECT min(source_line) FROM rpps_situation WHERE national_id = $1 AND profession_code = $2)`,
      [
        h.national_id,
        h.profession_code,
        f.recipientComplement,
        f.building,
        f.streetNumber,
        f.repetitionIndex,
        f.streetTypeLabel,
        f.streetLabel,
        f.distributionMention,
        f.cedexOffice,
        f.postalCode,
        f.town,
        f.countryCode,
        f.countryLabel,
      ],
    );
    expect([h.national_id, updated]).toEqual([h.national_id, 1]);
  }

  /** The card's last line: the postal code and town (or cedex) in France, in capitals without accents; the country's name abroad. */
  function lastLineIsRight(last: string, f: RegistryAddressFields): boolean {
    if (f.countryCode !== '99000') return last === postalCapitals(f.countryLabel);
    return /^[0-9]{5} [A-Z0-9 ]+$/.test(last) && last === postalCapitals(last);
  }

  it('lays every address out in at most 6 lines of 38 characters or holds its letter with a reason; each letter of the codes holds exactly its codes', async () => {
    const today = ctx.clock.today();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(registryEntry, { minLength: PER_RUN, maxLength: PER_RUN }), async (entries) => {
        run += 1;
        const these = holders.slice((run - 1) * PER_RUN, run * PER_RUN);
        if (these.length < PER_RUN) throw new Error(`run ${run}: ${PER_RUN} holders wanted, ${these.length} left`);
        const entryOf = new Map<string, RegistryEntry>();
        for (const [i, h] of these.entries()) {
          await register(h, entries[i]);
          entryOf.set(h.national_id, entries[i]);
        }
        const ids = await approvedOrders(ctx, orders, [...these], PER_RUN);
        await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(ids);
        const numbers: string[] = [];
        for (const id of ids) {
          const number = cardNumberFromSequence(nextCard++);
          await ctx.ds.query(
            `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                               valid_from, valid_until, state, order_id, source)
             SELECT $1, o.card_type, 'CPS4', o.national_id, o.national_id, o.profession_code, p.last_name, p.first_name,
                    DATE '2026-11-30', DATE '2032-11-29', 'personalized', o.id, 'order'
               FROM card_order o JOIN rpps_professional p ON p.national_id = o.national_id WHERE o.id = $2`,
            [number, id],
          );
          await ctx.ds.query(`UPDATE card_order SET status = 'personalized' WHERE id = $1`, [id]);
          numbers.push(number);
        }
        await ctx.ds.transaction((em) => cards.personalized(em, numbers));

        const cardBatch = await batches.run({ kind: 'card-letter', actor: 'test' });
        const pinBatch = await batches.run({ kind: 'pin-letter', asOf: addDays(today, 2), actor: 'test' });
        const letters: Array<{
          kind: string;
          state: string;
          held_reason: string | null;
          address_lines: string[] | null;
          sequence: number | null;
          batch_id: string | null;
          card_number: string;
          order_id: string;
          national_id: string;
        }> = await ctx.ds.query(
          `SELECT l.kind, l.state, l.held_reason, l.address_lines, l.sequence, l.batch_id, l.card_number, l.order_id, c.national_id
             FROM mailing_letter l JOIN card c ON c.card_number = l.card_number WHERE l.card_number = ANY($1) ORDER BY l.kind, l.sequence`,
          [numbers],
        );
        // The codes the cards were written with (what the station got), not what the letters are drawn from.
        const codes = new Map<string, CardCodes>();
        for (const id of ids) codes.set(id, await vault.codesForPersonalization(id));
        const cardPages = cardBatch.path ? pdfPages(cardBatch.path) : [];
        const pinPages = pinBatch.path ? pdfPages(pinBatch.path) : [];
        const cardPageOf = cardBatch.manifestPath ? manifestPages(cardBatch.manifestPath) : new Map<number, number>();
        const pinPageOf = pinBatch.manifestPath ? manifestPages(pinBatch.manifestPath) : new Map<number, number>();
        const problems: string[] = [];
        const cardLettersHeld = new Set<string>();

        for (const l of letters) {
          const e = entryOf.get(l.national_id)!;
          const where = `${l.kind} of card ${l.card_number} (${JSON.stringify(e)})`;
          if (l.state === 'held') {
            if (!l.held_reason) problems.push(`${where}: held without a reason`);
            if (l.kind === 'card-letter') cardLettersHeld.add(l.card_number);
            continue;
          }
          if (l.kind === 'pin-letter' && cardLettersHeld.has(l.card_number))
            problems.push(`${where}: its card letter is held, yet it was batched`);
          const lines = l.address_lines ?? [];
          if (lines.length === 0 || lines.length > MAX_ADDRESS_LINES) problems.push(`${where}: ${lines.length} address lines`);
          for (const line of lines) {
            if (line.length === 0 || line.length > MAX_ADDRESS_LINE_LENGTH)
              problems.push(`${where}: line "${line}" (${line.length} characters)`);
          }
          if (!lastLineIsRight(lines[lines.length - 1] ?? '', e.fields)) problems.push(`${where}: last line "${lines[lines.length - 1]}"`);
          const pages = l.kind === 'card-letter' ? cardPages : pinPages;
          const pageNumber = (l.kind === 'card-letter' ? cardPageOf : pinPageOf).get(l.sequence!);
          const page = pageNumber ? pages[pageNumber - 1] : undefined;
          if (!page) {
            problems.push(`${where}: no page in its batch`);
            continue;
          }
          const flat = page.replace(/\s+/g, ' ');
          for (const line of lines)
            if (!flat.includes(line.replace(/\s+/g, ' '))) problems.push(`${where}: line "${line}" not on its page`);
          if (l.kind === 'pin-letter') {
            if (page.includes(l.card_number)) problems.push(`${where}: the full card number is on the page`);
            if (!flat.includes(`se terminant par ${l.card_number.slice(-4)}`))
              problems.push(`${where}: the last 4 digits are not on the page`);
            const own = codes.get(l.order_id)!;
            const first = /Code porteur \(4 chiffres\)\s*([0-9]{4})(?![0-9])/.exec(flat)?.[1];
            const unblocking = /Code de déblocage \(8 chiffres\)\s*([0-9]{8})(?![0-9])/.exec(flat)?.[1];
            if (first !== own.pin || unblocking !== own.puk) problems.push(`${where}: its page does not hold its own codes`);
            for (const [orderId, other] of codes) {
              if (orderId !== l.order_id && new RegExp(`(?<![0-9])${other.puk}(?![0-9])`).test(page)) {
                problems.push(`${where}: the unblocking code of order ${orderId} is on its page`);
              }
            }
          }
        }
        // Every letter of a held address is held, for the reason the layout gives; every other one is batched.
        for (const [nid, e] of entryOf) {
          const layout = layoutPostalAddress(letterAddressee(e), e.fields);
          const mine = letters.filter((l) => l.national_id === nid && l.kind === 'card-letter');
          if (mine.length !== 1) problems.push(`${nid}: ${mine.length} card letters`);
          else if (!layout.ok && (mine[0].state !== 'held' || mine[0].held_reason !== `address: ${layout.reason}`)) {
            problems.push(
              `${nid}: the address cannot be laid out (${layout.reason}), yet the letter is ${mine[0].state} (${mine[0].held_reason})`,
            );
          } else if (layout.ok && JSON.stringify(mine[0].address_lines) !== JSON.stringify(layout.lines)) {
            problems.push(`${nid}: address ${JSON.stringify(mine[0].address_lines)}, laid out as ${JSON.stringify(layout.lines)}`);
          }
        }
        const printedPins = letters.filter((l) => l.kind === 'pin-letter' && l.state === 'batched').length;
        if (printedPins !== PER_RUN - cardLettersHeld.size) problems.push(`${printedPins} letters of the codes batched`);
        expect(problems).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(run).toBe(RUNS);
  });
});
