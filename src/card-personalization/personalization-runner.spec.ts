import { encodeCommand, parseResponse } from './apdu';
import { CardChannel, type CardTransport } from './card-channel';
import { sampleCardData } from './card-data.fixture';
import { decodeCardFiles } from './card-files';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';
import { PersonalizationFailure, type PersonalizationResult, personalizeNextCard, readFiles } from './personalization-runner';
import { type PersonalizationScript, personalizationScript, readBackSteps, verifyCommand } from './personalization-script';
import { SimulatedCard, SimulatedCardOptions } from './simulated-card';

const CODES = { pin: '4826', puk: '73019452' };
const script = () => personalizationScript(CPX_ISO_V1, sampleCardData(), CODES);

/** Personalizes the card as the station does, with `s` as the work for it (never skipped). */
async function personalize(transport: CardTransport, s: PersonalizationScript = script()): Promise<PersonalizationResult> {
  const r = await personalizeNextCard(transport, CPX_ISO_V1, async () => s);
  if ('skipped' in r) throw new Error('the card was skipped though there was work for it');
  return r;
}

async function verify(card: SimulatedCard, pin: string): Promise<number> {
  return parseResponse(await card.transmit(encodeCommand(verifyCommand(CPX_ISO_V1, 'PIN', pin)))).sw;
}

async function failure(options: SimulatedCardOptions, transport?: (card: SimulatedCard) => CardTransport) {
  const card = new SimulatedCard({ serial: 'CHIP00001234', ...options });
  const error = await personalize(transport ? transport(card) : card).catch((e) => e);
  expect(error).toBeInstanceOf(PersonalizationFailure);
  return { error: error as PersonalizationFailure, card };
}

describe(personalizeNextCard.name, () => {
  it('writes a blank card, reads it back equal, sets the codes and activates DF.CPX', async () => {
    const card = new SimulatedCard({ serial: 'CHIP00001234' });
    const s = script();
    const result = await personalize(card, s);

    expect(result).toMatchObject({ chipSerial: 'CHIP00001234', activateUnsupported: false, situationsWritten: 2, situationsTotal: 2 });
    expect(result.readBack).toEqual(s.files.images);
    const state = card.inspect();
    for (const ef of CPX_ISO_V1.files) {
      expect(state.files.find((f) => f.path === `3F00/5000/${ef.fid.toString(16).toUpperCase()}`)?.data).toEqual(s.files.images[ef.name]);
    }
    expect(state.files.find((f) => f.path === '3F00/5000')?.lifeCycle).toBe('activated');
    expect(state.codes).toEqual({ pin: { set: true, triesLeft: 3 }, puk: { set: true, triesLeft: 10 } });
    expect(result.apdus).toBe(state.commands);

    // The holder's PIN opens the card; another one counts down.
    expect(await verify(card, CODES.pin)).toBe(0x9000);
    expect(await verify(card, '1111')).toBe(0x63c2);
    expect(await verify(card, CODES.pin)).toBe(0x9000);
  });

  it('reads the files back independently and decodes them into the fields', async () => {
    const card = new SimulatedCard();
    await personalize(card);
    const decoded = decodeCardFiles(CPX_ISO_V1, await readFiles(new CardChannel(card), readBackSteps(CPX_ISO_V1)));
    expect(decoded['EF.ID']).toMatchObject({
      kind: 'fields',
      fields: {
        cardType: 'CPS',
        generation: 'CPS4',
        cardNumber: '2900001260',
        nationalId: '810000000355',
        lastName: 'LEFÈVRE',
        validFrom: '2026-11-30',
      },
    });
    expect(decoded['EF.SIT']).toMatchObject({
      kind: 'records',
      records: [
        { number: 1, structureIdType: '5' },
        { number: 2, city: 'PARIS 11E ARRONDISSEMENT' },
      ],
    });
    expect(decoded['EF.SEAL']).toMatchObject({ kind: 'seal', matches: true });
  });

  it('copes with a card that answers through 61xx and wants an exact Le (6Cxx), or does not know ACTIVATE FILE', async () => {
    const card = new SimulatedCard({ viaGetResponse: true, exactLe: true, activateUnsupported: true, serial: 'SN0123456789' });
    const result = await personalize(card);
    expect(result).toMatchObject({ chipSerial: 'SN0123456789', activateUnsupported: true });
    expect(result.apdus).toBeGreaterThan(card.inspect().commands - 1);
  });

  it('works with a slow card, counting the time spent waiting on it', async () => {
    const result = await personalize(new SimulatedCard({ delayMs: 2 }));
    expect(result.transportMs).toBeGreaterThanOrEqual(result.apdus * 1.5);
  });

  it('refuses a card without EF.SN as not ours, without writing to it', async () => {
    const { error, card } = await failure({ serial: null });
    expect(error).toMatchObject({ code: 'no_chip_serial', stage: 'read-serial', spoiled: false, chipSerial: null });
    expect(card.inspect().files.map((f) => f.path)).toEqual(['3F00']);
  });

  it('refuses an EF.SN that is not 8 to 16 ASCII characters', async () => {
    const { error } = await failure({ serial: 'SHORT' });
    expect(error).toMatchObject({ code: 'no_chip_serial', spoiled: false });
    expect(error.message).toMatch(/5 bytes that are not 8 to 16 ASCII characters/);
  });

  it('never writes to a card whose DF.CPX exists', async () => {
    const { error, card } = await failure({ personalized: true });
    expect(error).toMatchObject({ code: 'card_not_blank', stage: 'check-blank', spoiled: false, chipSerial: 'CHIP00001234' });
    expect(card.inspect()).toMatchObject({ commands: 3, updates: 0 });
  });

  it('spoils the card on a memory failure while writing, with the status word', async () => {
    const { error } = await failure({ memoryFailureOnWrite: 1 });
    expect(error).toMatchObject({ code: 'card_status', stage: 'write', spoiled: true, sw: 0x6581, chipSerial: 'CHIP00001234' });
    expect(error.message).toBe('write: UPDATE BINARY EF.ID @0: 6581 memory failure');
  });

  it('fails a card pulled out: not spoiled before the first CREATE FILE, spoiled after', async () => {
    const early = await failure({ removedAfter: 2 });
    expect(early.error).toMatchObject({ code: 'card_removed', stage: 'check-blank', spoiled: false });
    const late = await failure({ removedAfter: 10 });
    expect(late.error).toMatchObject({ code: 'card_removed', stage: 'write', spoiled: true });
    const atCreate = await failure({ removedAfter: 4 });
    expect(atCreate.error).toMatchObject({ code: 'card_removed', stage: 'write', spoiled: true });
  });

  it('fails the card when what is read back differs from what was written', async () => {
    // A reader that flips one bit of the third READ BINARY answer (EF.SN, EF.ID @0, EF.ID @256).
    let reads = 0;
    const corrupting = (card: SimulatedCard): CardTransport => ({
      async transmit(apdu) {
        const answer = await card.transmit(apdu);
        if (apdu[1] === 0xb0 && ++reads === 3) answer[5] ^= 0x01;
        return answer;
      },
    });
    const { error } = await failure({}, corrupting);
    expect(error).toMatchObject({ code: 'read_back_mismatch', stage: 'read-back', spoiled: true });
    expect(error.message).toMatch(/EF.ID read back differs from what was written at offset 261/);
  });

  it('fails the card when EF.SN reads another chip after writing (a card swapped during the session)', async () => {
    // A reader whose EF.SN answers change once the files are written: the last READ BINARY of EF.SN names another chip.
    let serialReads = 0;
    const swapped = (card: SimulatedCard): CardTransport => ({
      async transmit(apdu) {
        const answer = await card.transmit(apdu);
        const readsSerial = apdu[1] === 0xb0 && answer.subarray(0, -2).toString('latin1') === 'CHIP00001234';
        if (readsSerial && ++serialReads === 2) return Buffer.concat([Buffer.from('CHIP00009999', 'latin1'), answer.subarray(-2)]);
        return answer;
      },
    });
    const { error } = await failure({}, swapped);
    expect(error).toMatchObject({ code: 'read_back_mismatch', stage: 'read-back', spoiled: true, chipSerial: 'CHIP00001234' });
    expect(error.message).toMatch(/EF.SN reads CHIP00009999 after writing, CHIP00001234 before/);
  });

  it('turns any other reader failure into a failed card', async () => {
    const { error } = await failure({}, (card) => ({
      transmit: async (apdu) => {
        if (apdu[1] === 0x24) throw new Error('SCardTransmit: reader unavailable');
        return card.transmit(apdu);
      },
    }));
    expect(error).toMatchObject({ code: 'reader_error', stage: 'set-codes', spoiled: true });
    expect(error.message).toBe('set-codes: SCardTransmit: reader unavailable');
  });
});
