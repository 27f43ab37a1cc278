import { SW_OK } from './apdu';
import { CardChannel, CardTransport } from './card-channel';
import { CardStatusError } from './card-personalization.errors';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A transport that answers from a list and records what it was sent. */
function scripted(...answers: string[]): CardTransport & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async transmit(apdu: Buffer) {
      sent.push(apdu.toString('hex').toUpperCase());
      const next = answers.shift();
      if (next === undefined) throw new Error(`unexpected APDU ${apdu.toString('hex')}`);
      return h(next);
    },
  };
}

const READ = { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 16 };

describe(CardChannel.name, () => {
  it('follows 61xx with GET RESPONSE until the data is whole', async () => {
    const t = scripted('6108', '0102030405060708 6104', '090A0B0C 9000');
    const channel = new CardChannel(t);
    const r = await channel.send(READ);
    expect(r).toEqual({ data: h('0102030405060708090A0B0C'), sw: SW_OK });
    expect(t.sent).toEqual(['00B0000010', '00C0000008', '00C0000004']);
    expect(channel.stats.apdus).toBe(3);
  });

  it('asks GET RESPONSE for 256 bytes on 6100', async () => {
    const t = scripted('6100', `${'AA'.repeat(256)} 9000`);
    const r = await new CardChannel(t).send(READ);
    expect(r.data.length).toBe(256);
    expect(t.sent[1]).toBe('00C0000000');
  });

  it('resends once with the Le the card gives on 6Cxx', async () => {
    const t = scripted('6C0C', '3132333435363738393031 32 9000');
    const r = await new CardChannel(t).send(READ);
    expect(r.data.toString()).toBe('123456789012');
    expect(t.sent).toEqual(['00B0000010', '00B000000C']);
  });

  it('returns an accepted status word and throws a typed error for any other', async () => {
    const channel = new CardChannel(scripted('6A82', '6581', '6D00'));
    const select = { cla: 0, ins: 0xa4, p1: 8, p2: 0x0c, data: h('5000') };
    await expect(channel.expect('SELECT DF.CPX', select, [SW_OK, 0x6a82])).resolves.toEqual({ data: h(''), sw: 0x6a82 });
    const failure = await channel.expect('UPDATE BINARY EF.ID @0', { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: h('80') }).catch((e) => e);
    expect(failure).toBeInstanceOf(CardStatusError);
    expect(failure.message).toBe('UPDATE BINARY EF.ID @0: 6581 memory failure');
    await expect(channel.expect('ACTIVATE FILE DF.CPX', { cla: 0, ins: 0x44, p1: 0, p2: 0 }, [SW_OK, 0x6d00])).resolves.toMatchObject({
      sw: 0x6d00,
    });
  });

  it('passes the transport error through (a removed card)', async () => {
    const channel = new CardChannel({
      transmit: async () => {
        throw new Error('gone');
      },
    });
    await expect(channel.send(READ)).rejects.toThrow('gone');
    expect(channel.stats.apdus).toBe(1);
  });
});
