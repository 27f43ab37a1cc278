import { CardRemovedError } from './card-personalization.errors';
import { SimulatedCard } from './simulated-card';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Sends hex APDUs in turn and returns the hex answers. */
async function run(card: SimulatedCard, ...apdus: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of apdus) out.push((await card.transmit(h(a))).toString('hex').toUpperCase());
  return out;
}

const SELECT_SN = '00 A4 08 0C 02 00 02';
const SELECT_CPX = '00 A4 08 0C 02 50 00';
const CREATE_CPX = '00 E0 00 00 09 62 07 82 01 38 83 02 50 00';
const CREATE_ID = '00 E0 00 00 0D 62 0B 80 02 02 00 82 01 01 83 02 50 01';
const PIN = '31 32 33 34 FF FF FF FF';
const PUK = '31 32 33 34 35 36 37 38';

describe(SimulatedCard.name, () => {
  it('answers the ATR of pcsc-notes', () => {
    expect(new SimulatedCard().atr()).toEqual(h('3B 80 80 01 01'));
  });

  it('holds EF.SN under the MF, read only: a short answer with 6282 past its end, 6Cxx when asked for an exact Le', async () => {
    const card = new SimulatedCard({ serial: 'SN12345678' });
    expect(await run(card, SELECT_SN, '00 B0 00 00 10', '00 B0 00 00 04', '00 D6 00 00 01 41')).toEqual([
      '9000',
      `${Buffer.from('SN12345678').toString('hex').toUpperCase()}6282`,
      `${Buffer.from('SN12').toString('hex').toUpperCase()}9000`,
      '6982',
    ]);
    const strict = new SimulatedCard({ serial: 'SN12345678', exactLe: true });
    expect(await run(strict, SELECT_SN, '00 B0 00 00 10')).toEqual(['9000', '6C0A']);
    expect(await run(new SimulatedCard({ serial: null }), SELECT_SN)).toEqual(['6A82']);
    expect(new SimulatedCard().inspect().serial).toMatch(/^SIM[0-9A-F]{12}$/);
  });

  it('is blank (DF.CPX not found) until DF.CPX is created; an already personalized card has it', async () => {
    expect(await run(new SimulatedCard(), SELECT_CPX)).toEqual(['6A82']);
    expect(await run(new SimulatedCard({ personalized: true }), SELECT_CPX)).toEqual(['9000']);
  });

  it('takes SELECT with P2 = 0C only, by FID, child, parent or path', async () => {
    const card = new SimulatedCard();
    expect(await run(card, '00 A4 00 04 02 3F 00', '00 A4 00 0C 02 3F 00', CREATE_CPX, CREATE_ID, '00 A4 03 0C')).toEqual([
      '6A86',
      '9000',
      '9000',
      '9000',
      '9000',
    ]);
    expect(card.inspect().current).toBe('3F00');
    expect(await run(card, '00 A4 08 0C 04 50 00 50 01', '00 A4 01 0C 02 50 01', '00 A4 09 0C 02 50 01', '00 A4 00 0C 02 50 09')).toEqual([
      '9000',
      '6A82',
      '9000',
      '6A82',
    ]);
  });

  it('creates files from an FCP template, refusing duplicates, bad templates and what does not fit', async () => {
    const card = new SimulatedCard({ capacity: 600 });
    expect(
      await run(
        card,
        CREATE_CPX,
        CREATE_ID,
        '00 A4 08 0C 02 50 00',
        CREATE_ID,
        '00 E0 00 00 0D 62 0B 80 02 01 00 82 01 01 83 02 50 02',
        '00 E0 00 00 08 62 06 82 01 01 83 02 50 03',
        '00 E0 00 00 04 62 02 82 00',
      ),
    ).toEqual(['9000', '9000', '9000', '6A89', '6A84', '6A80', '6A80']);
    const files = card.inspect().files;
    expect(files.map((f) => [f.path, f.kind, f.lifeCycle, f.size])).toContainEqual(['3F00/5000/5001', 'EF', 'creation', 512]);
    expect(files.find((f) => f.path === '3F00/5000/5001')?.data).toEqual(Buffer.alloc(512));
  });

  it('reads and updates binary at an offset, refusing what falls outside the file', async () => {
    const card = new SimulatedCard();
    await run(card, CREATE_CPX, CREATE_ID);
    expect(
      await run(card, '00 D6 01 FE 02 AA BB', '00 B0 01 FE 02', '00 D6 02 00 01 00', '00 D6 01 FF 02 AA BB', '00 B0 02 00 01'),
    ).toEqual(['9000', 'AABB9000', '6B00', '6700', '6B00']);
    expect(await run(new SimulatedCard(), '00 B0 00 00 01', '00 D6 00 00 01 00')).toEqual(['6986', '6986']);
  });

  it('fails the Nth UPDATE BINARY with 6581 and writes nothing', async () => {
    const card = new SimulatedCard({ memoryFailureOnWrite: 2 });
    await run(card, CREATE_CPX, CREATE_ID);
    expect(await run(card, '00 D6 00 00 01 11', '00 D6 00 01 01 22', '00 D6 00 02 01 33')).toEqual(['9000', '6581', '9000']);
    expect(
      card
        .inspect()
        .files.find((f) => f.path === '3F00/5000/5001')
        ?.data?.subarray(0, 3),
    ).toEqual(h('11 00 33'));
  });

  it('sets the PIN and PUK once, counts wrong PINs down to blocked, and unblocks with the PUK', async () => {
    const card = new SimulatedCard();
    expect(await run(card, `00 20 00 01 08 ${PIN}`, `00 24 01 01 08 ${PIN}`, `00 24 01 02 08 ${PUK}`, `00 24 01 01 08 ${PIN}`)).toEqual([
      '6A88',
      '9000',
      '9000',
      '6982',
    ]);
    const wrong = '00 20 00 01 08 39 39 39 39 FF FF FF FF';
    expect(await run(card, `00 20 00 01 08 ${PIN}`, wrong, wrong, '00 20 00 01', wrong, `00 20 00 01 08 ${PIN}`)).toEqual([
      '9000',
      '63C2',
      '63C1',
      '63C1',
      '63C0',
      '6983',
    ]);
    expect(card.inspect().codes).toEqual({ pin: { set: true, triesLeft: 0 }, puk: { set: true, triesLeft: 10 } });
    expect(await run(card, '00 2C 01 01 08 30 30 30 30 30 30 30 30', `00 2C 01 01 08 ${PUK}`, `00 20 00 01 08 ${PIN}`)).toEqual([
      '63C9',
      '9000',
      '9000',
    ]);
    expect(await run(card, `00 24 00 01 10 ${PIN} 35 35 35 35 FF FF FF FF`, '00 20 00 01 08 35 35 35 35 FF FF FF FF')).toEqual([
      '9000',
      '9000',
    ]);
  });

  it('activates the current file, or answers 6D00 when told to', async () => {
    const card = new SimulatedCard();
    expect(await run(card, CREATE_CPX, '00 44 00 00')).toEqual(['9000', '9000']);
    expect(card.inspect().files.find((f) => f.path === '3F00/5000')?.lifeCycle).toBe('activated');
    expect(await run(new SimulatedCard({ activateUnsupported: true }), '00 44 00 00')).toEqual(['6D00']);
  });

  it('delivers data through 61xx and GET RESPONSE when told to', async () => {
    const card = new SimulatedCard({ serial: 'ABCDEFGHIJ', viaGetResponse: true });
    expect(await run(card, SELECT_SN, '00 B0 00 00 0A', '00 C0 00 00 04', '00 C0 00 00 06', '00 C0 00 00 01')).toEqual([
      '9000',
      '610A',
      `${Buffer.from('ABCD').toString('hex').toUpperCase()}6106`,
      `${Buffer.from('EFGHIJ').toString('hex').toUpperCase()}9000`,
      '6985',
    ]);
  });

  it('refuses other classes and instructions, and malformed APDUs', async () => {
    expect(await run(new SimulatedCard(), '80 A4 00 0C 02 3F 00', '00 CA 00 00 00', '00 A4 00 0C 05 3F 00')).toEqual([
      '6E00',
      '6D00',
      '6700',
    ]);
  });

  it('is removed after N commands: every later transmit throws CardRemovedError', async () => {
    const card = new SimulatedCard({ removedAfter: 2 });
    await run(card, SELECT_SN, SELECT_CPX);
    await expect(card.transmit(h(SELECT_SN))).rejects.toBeInstanceOf(CardRemovedError);
    await expect(card.transmit(h(SELECT_SN))).rejects.toThrow(/removed after 2 commands/);
    expect(card.inspect()).toMatchObject({ removed: true, commands: 2 });
  });

  it('answers slowly when told to', async () => {
    const card = new SimulatedCard({ delayMs: 30 });
    const started = performance.now();
    await run(card, SELECT_SN);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
