import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CardBusyError, CardRemovedError, PcscError } from '../../src/card-personalization/pcsc/pcsc-errors';
import { PcscReaders } from '../../src/card-personalization/pcsc/pcsc-readers';
import { PcscCardSession } from '../../src/card-personalization/pcsc/pcsc-transport';
import { parseScriptorOutput, runScriptor } from '../support/scriptor';
import { type BridgedCard, VPCD_READERS, VpcdSlot } from '../support/vpcd-card';

/**
 * The PC/SC driver through the real pcscd: cards of this test sit in vpcd's virtual readers.
 * The card here is deliberately tiny (the ISO card model of the personalization work is tested
 * on its own): SELECT of EF.SN (0002) answers 9000, any other SELECT 6A82; READ BINARY answers
 * bytes 00, 01, 02, ... from the offset (Le 00 = 256); anything else 6D00.
 */
class TinyCard implements BridgedCard {
  constructor(
    private readonly atrBytes = Buffer.from('3B80800101', 'hex'),
    private readonly tag = 0,
  ) {}
  atr(): Buffer {
    return this.atrBytes;
  }
  transmit(apdu: Buffer): Buffer {
    const [, ins, p1, p2] = apdu;
    if (ins === 0xa4) return Buffer.from(apdu.subarray(5).equals(Buffer.from([0x00, 0x02])) ? '9000' : '6A82', 'hex');
    if (ins === 0xb0) {
      const offset = (p1 << 8) | p2;
      const le = apdu[4] || 256;
      const data = Buffer.from(Array.from({ length: le }, (_, i) => (offset + i + this.tag) & 0xff));
      return Buffer.concat([data, Buffer.from('9000', 'hex')]);
    }
    return Buffer.from('6D00', 'hex');
  }
}

const [R0, R1] = VPCD_READERS;
const SELECT_SN = Buffer.from('00A4000C020002', 'hex');
const SELECT_CPX = Buffer.from('00A4000C025000', 'hex');
const sw = (r: Buffer) => r.subarray(-2).toString('hex').toUpperCase();

describe('PC/SC driver through pcscd and vpcd', () => {
  let readers: PcscReaders;
  const slots = [new VpcdSlot(R0), new VpcdSlot(R1)];
  const sessions: PcscCardSession[] = [];

  /** Inserts a card and waits until pcscd reports it (returns how long that took). */
  async function insert(slot: VpcdSlot, card: BridgedCard, faults = {}): Promise<number> {
    const t0 = Date.now();
    await slot.insert(card, faults);
    await readers.waitForCard(slot.reader.name, 10_000);
    return Date.now() - t0;
  }

  async function connect(name: string): Promise<PcscCardSession> {
    const s = await readers.connect(name);
    sessions.push(s);
    return s;
  }

  beforeAll(async () => {
    readers = PcscReaders.open({ readers: '*' });
    await readers.waitForReader(R0.name, 10_000);
    await readers.waitForReader(R1.name, 10_000);
    // A card left by an earlier run must be seen gone before we start.
    await readers.waitForRemoval(R0.name, 10_000);
    await readers.waitForRemoval(R1.name, 10_000);
  });

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    for (const slot of slots) {
      await slot.remove();
      // Also after a card pulled by a fault: the next test must not see this card still in.
      await readers.waitForRemoval(slot.reader.name, 10_000);
    }
  });

  afterAll(() => readers.close());

  it('sees both virtual readers, then the card put into Virtual PCD 00 00 with its ATR', async () => {
    expect(readers.list().map((r) => r.name)).toEqual(expect.arrayContaining([R0.name, R1.name]));
    expect(readers.get(R0.name)?.cardPresent).toBe(false);
    const events: string[] = [];
    readers.on('card-inserted', (e) => events.push(`in ${e.reader}`));
    readers.on('card-removed', (e) => events.push(`out ${e.reader}`));
    const ms = await insert(slots[0], new TinyCard(Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex')));
    expect(readers.get(R0.name)?.atr?.toString('hex').toUpperCase()).toBe('3B8F8001804F0CA000000306030001000000006A');
    expect(ms).toBeLessThan(5_000);
    await slots[0].remove();
    await readers.waitForRemoval(R0.name, 10_000);
    expect(events).toEqual([`in ${R0.name}`, `out ${R0.name}`]);
  });

  it('transmits APDUs to the card and gets its answers, holding it exclusively while the session is open', async () => {
    await insert(slots[0], new TinyCard());
    const session = await connect(R0.name);
    expect(session.atr.toString('hex')).toBe('3b80800101');
    expect(sw(await session.transmit(SELECT_SN))).toBe('9000');
    expect(sw(await session.transmit(SELECT_CPX))).toBe('6A82');
    const read = await session.transmit(Buffer.from('00B0000000', 'hex'));
    expect(read.length).toBe(258);
    expect([read[0], read[255], sw(read)]).toEqual([0x00, 0xff, '9000']);
    expect(slots[0].apdus.map((a) => a.toString('hex'))).toEqual(['00a4000c020002', '00a4000c025000', '00b0000000']);

    // No other program gets in meanwhile: not another session, not scriptor.
    await expect(readers.connect(R0.name)).rejects.toBeInstanceOf(CardBusyError);
    const other = await runScriptor(R0.name, ['00 A4 00 0C 02 00 02']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('Sharing violation');
    expect(slots[0].apdus).toHaveLength(3);

    // Closing resets the card (pcscd may do it as a power cycle); the control reaches the
    // simulator's thread after close() resolves, so wait for it rather than read it at once.
    const before = slots[0].controls.length;
    await session.close();
    const deadline = Date.now() + 3_000;
    const resetSince = () => slots[0].controls.slice(before).filter((c) => c === 'reset' || c === 'power-on');
    while (resetSince().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(resetSince()).not.toEqual([]);
    const after = await runScriptor(R0.name, ['00 A4 00 0C 02 00 02']);
    expect(after.exchanges.map((x) => x.sw)).toEqual([0x9000]);
  });

  it('names a card pulled out midway: CardRemovedError on that command and every one after, and the reader sees it go', async () => {
    await insert(slots[0], new TinyCard(), { removeAfterCommands: 3 });
    const session = await connect(R0.name);
    expect(sw(await session.transmit(SELECT_SN))).toBe('9000');
    expect(sw(await session.transmit(Buffer.from('00B0000008', 'hex')))).toBe('9000');
    const t0 = Date.now();
    const err = await session.transmit(Buffer.from('00B0000008', 'hex')).catch((e) => e);
    expect(err).toBeInstanceOf(CardRemovedError);
    expect((err as CardRemovedError).reader).toBe(R0.name);
    expect((err as CardRemovedError).code).toBe('card_removed');
    await expect(session.transmit(SELECT_SN)).rejects.toBeInstanceOf(CardRemovedError);
    await readers.waitForRemoval(R0.name, 10_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await expect(readers.connect(R0.name)).rejects.toMatchObject({ code: 'no_card' });
  });

  it('ends the session when the card is swapped faster than pcscd polls: nothing more reaches the new card', async () => {
    await insert(slots[0], new TinyCard());
    const session = await connect(R0.name);
    expect(sw(await session.transmit(SELECT_SN))).toBe('9000');
    await slots[0].remove();
    await slots[0].insert(new TinyCard(Buffer.from('3B80800102', 'hex'), 0x80));
    const err = await session.transmit(SELECT_SN).catch((e) => e);
    expect(err).toBeInstanceOf(PcscError);
    expect(['card_removed', 'card_lost']).toContain((err as PcscError).code);
    await expect(session.transmit(SELECT_SN)).rejects.toBe(err);
    expect(slots[0].apdus).toEqual([]);
    // The reader is free for a new session, which talks to the new card.
    await readers.waitForCard(R0.name, 10_000);
    const next = await connect(R0.name);
    expect((await next.transmit(Buffer.from('00B0000001', 'hex'))).toString('hex')).toBe('809000');
  });

  it('waits for a slow card', async () => {
    await insert(slots[0], new TinyCard(), { delayMs: 300 });
    const session = await connect(R0.name);
    const t0 = Date.now();
    expect(sw(await session.transmit(SELECT_SN))).toBe('9000');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('drives two readers at once, each session talking to its own card', async () => {
    await Promise.all([
      insert(slots[0], new TinyCard(undefined, 0)),
      insert(slots[1], new TinyCard(Buffer.from('3B80800102', 'hex'), 0x80)),
    ]);
    const [a, b] = await Promise.all([connect(R0.name), connect(R1.name)]);
    expect([a.atr.toString('hex'), b.atr.toString('hex')]).toEqual(['3b80800101', '3b80800102']);
    const reads = await Promise.all(
      Array.from({ length: 20 }, (_, i) => [a, b][i % 2].transmit(Buffer.from(`00B000${(i * 4).toString(16).padStart(2, '0')}04`, 'hex'))),
    );
    reads.forEach((r, i) => {
      const tag = i % 2 === 0 ? 0 : 0x80;
      expect(r.subarray(0, 1)[0]).toBe((i * 4 + tag) & 0xff);
      expect(sw(r)).toBe('9000');
    });
    expect(slots[0].apdus).toHaveLength(10);
    expect(slots[1].apdus).toHaveLength(10);
  });

  it('takes only the readers ENCODER_READERS names', async () => {
    const only = PcscReaders.open({ readers: [R1.name] });
    try {
      const seen: string[] = [];
      only.on('card-inserted', (e) => seen.push(e.reader));
      await only.waitForReader(R1.name, 10_000);
      await insert(slots[0], new TinyCard());
      expect(only.list().map((r) => r.name)).toEqual([R1.name]);
      await expect(only.connect(R0.name)).rejects.toMatchObject({ code: 'unknown_reader' });
      expect(seen).toEqual([]);
    } finally {
      only.close();
    }
  });

  it('lets scriptor send an APDU file to the same card, its multi-line answers parsed to the byte', async () => {
    await insert(slots[0], new TinyCard());
    const run = await runScriptor(R0.name, [
      '# EF.SN, then DF.CPX',
      '00 A4 00 0C 02 00 02',
      '00 A4 00 0C 02 50 00',
      '00 B0 00 10 00',
      'reset',
      '00B0000003',
    ]);
    expect(run.code).toBe(0);
    expect(run.exchanges.map((x) => [x.command.toString('hex'), x.sw.toString(16)])).toEqual([
      ['00a4000c020002', '9000'],
      ['00a4000c025000', '6a82'],
      ['00b0001000', '9000'],
      ['', '0'],
      ['00b0000003', '9000'],
    ]);
    expect(run.exchanges[2].data).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => (0x10 + i) & 0xff)));
    expect(run.exchanges[3].response.toString('hex')).toBe('3b80800101');
    expect(run.exchanges[1].meaning).toContain('File not found');
    // The driver reads the same bytes.
    const session = await connect(R0.name);
    expect((await session.transmit(Buffer.from('00B0001000', 'hex'))).subarray(0, -2)).toEqual(run.exchanges[2].data);
  });

  it('parses scriptor output whatever the line breaks', () => {
    const out = parseScriptorOutput(
      'Using T=1 protocol\n> 00 B0 00 00 11 \n< 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 90 00 : Normal processing.\n> 00 A4 00 0C 02 50 00\n< 6A 82 : Wrong parameter(s) P1-P2. File not found.\n',
    );
    expect(out.map((x) => [x.data.length, x.sw])).toEqual([
      [17, 0x9000],
      [0, 0x6a82],
    ]);
    expect(() => parseScriptorOutput('> 00 B0 00 00 02\n< 00 01\n')).toThrow(/never ended/);
    expect(() => parseScriptorOutput('< 90 00 : Normal processing.\n')).toThrow(/unexpected line/);
  });

  it('refuses a session on a reader without a card', async () => {
    const err = await readers.connect(R1.name).catch((e) => e);
    expect(err).toBeInstanceOf(PcscError);
    expect((err as PcscError).code).toBe('no_card');
  });

  it('names pcscd (and libpcsclite-dev) when the daemon does not answer', async () => {
    // libpcsclite takes its socket's path from PCSCLITE_CSOCK_NAME once per process: a child process
    // pointed at a socket nobody listens on is a machine without pcscd. It runs the built driver.
    const built = join(__dirname, '../../dist/src/card-personalization/pcsc/pcsc-readers.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: npm run build first (npm run test:pcsc does)`);
    const script = `try { require(${JSON.stringify(built)}).PcscReaders.open({ readers: '*' }); console.log('opened'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, PCSCLITE_CSOCK_NAME: '/nonexistent/pcscd.comm' },
    });
    const err = JSON.parse(stdout);
    expect([err.name, err.code]).toEqual(['PcscUnavailableError', 'pcsc_unavailable']);
    expect(err.message).toContain('pcscd does not answer');
    expect(err.message).toContain('libpcsclite-dev');
  });
});
