import fc from 'fast-check';
import { CommandApdu, describeCommand, encodeCommand, parseCommand, parseResponse, statusError, statusMeaning } from './apdu';
import { CardStatusError, MalformedDataError } from './card-personalization.errors';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const byte = fc.integer({ min: 0, max: 255 });

describe('APDU', () => {
  describe('encodeCommand', () => {
    it('encodes the four cases in short form', () => {
      expect(encodeCommand({ cla: 0, ins: 0x44, p1: 0, p2: 0 })).toEqual(h('00 44 00 00'));
      expect(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 16 })).toEqual(h('00 B0 00 00 10'));
      expect(encodeCommand({ cla: 0, ins: 0xb0, p1: 1, p2: 0, ne: 256 })).toEqual(h('00 B0 01 00 00'));
      expect(encodeCommand({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: h('5000') })).toEqual(h('00 A4 00 0C 02 50 00'));
      expect(encodeCommand({ cla: 0, ins: 0xa4, p1: 0, p2: 0x04, data: h('5000'), ne: 256 })).toEqual(h('00 A4 00 04 02 50 00 00'));
    });

    it('switches to the extended form above 255 data bytes or 256 expected bytes', () => {
      expect(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 257 })).toEqual(h('00 B0 00 00 00 01 01'));
      expect(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536 })).toEqual(h('00 B0 00 00 00 00 00'));
      const data = Buffer.alloc(300, 0xaa);
      expect(encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data })).toEqual(Buffer.concat([h('00 D6 00 00 00 01 2C'), data]));
      expect(encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data, ne: 2 }).subarray(-2)).toEqual(h('00 02'));
    });

    it('refuses bytes out of range and impossible lengths', () => {
      expect(() => encodeCommand({ cla: 0, ins: 256, p1: 0, p2: 0 })).toThrow(/INS 256 is not a byte/);
      expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 0 })).toThrow(/Ne 0 is outside/);
      expect(() => encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: Buffer.alloc(65536) })).toThrow(/at most 65535/);
    });

    it('is read back by parseCommand, for every case and size', () => {
      const command = fc.record(
        {
          cla: byte,
          ins: byte,
          p1: byte,
          p2: byte,
          data: fc.uint8Array({ minLength: 1, maxLength: 400 }).map((a) => Buffer.from(a)),
          ne: fc.integer({ min: 1, max: 65536 }),
        },
        { requiredKeys: ['cla', 'ins', 'p1', 'p2'] },
      );
      fc.assert(fc.property(command, (c: CommandApdu) => expect(parseCommand(encodeCommand(c))).toEqual(c)));
    });
  });

  describe('parseCommand', () => {
    it('refuses a header shorter than 4 bytes and lengths that do not match', () => {
      expect(() => parseCommand(h('00 A4 00'))).toThrow(MalformedDataError);
      expect(() => parseCommand(h('00 A4 00 0C 03 50 00'))).toThrow(/Lc 3 does not match the 2 bytes/);
      expect(() => parseCommand(h('00 D6 00 00 00 00 02 AA'))).toThrow(/extended Lc 2 does not match/);
      expect(() => parseCommand(h('00 D6 00 00 00 00'))).toThrow(/truncated extended length/);
    });
  });

  describe('responses and status words', () => {
    it('splits the data from SW1 SW2', () => {
      expect(parseResponse(h('41 42 90 00'))).toEqual({ data: h('4142'), sw: 0x9000 });
      expect(() => parseResponse(h('90'))).toThrow(/at least SW1 SW2/);
    });

    it('maps the status words the profile meets to typed errors with the SW and a readable message', () => {
      const cases: Array<[number, string, RegExp]> = [
        [0x6581, 'memory_failure', /6581 memory failure/],
        [0x6a82, 'file_not_found', /6A82 file or application not found/],
        [0x6982, 'security_status_not_satisfied', /6982 security status not satisfied/],
        [0x6983, 'authentication_blocked', /6983 authentication method blocked/],
        [0x6d00, 'instruction_not_supported', /6D00 instruction code not supported/],
        [0x6a89, 'file_exists', /6A89 file already exists/],
        [0x6fff, 'unknown_status', /6FFF status 6FFF not defined/],
      ];
      for (const [sw, reason, message] of cases) {
        const e = statusError('UPDATE BINARY EF.ID @0', sw);
        expect(e).toBeInstanceOf(CardStatusError);
        expect([e.sw, e.reason, e.code]).toEqual([sw, reason, 'card_status']);
        expect(e.message).toMatch(/^UPDATE BINARY EF\.ID @0: /);
        expect(e.message).toMatch(message);
      }
    });

    it('reads the tries left from 63Cx', () => {
      const e = statusError('VERIFY ref 01', 0x63c2);
      expect([e.reason, e.triesLeft, e.message]).toEqual([
        'verification_failed',
        2,
        'VERIFY ref 01: 63C2 verification failed, 2 tries left',
      ]);
      expect(statusMeaning(0x63c0).triesLeft).toBe(0);
      expect(statusMeaning(0x6110).reason).toBe('more_data');
      expect(statusMeaning(0x6c08).description).toMatch(/8 bytes available/);
    });

    it('never shows the data of a command that carries a code', () => {
      const pin = h('31 32 33 34 FF FF FF FF');
      expect(describeCommand({ cla: 0, ins: 0x24, p1: 1, p2: 1, data: pin })).toBe('00240101 Lc=8 <hidden>');
      expect(describeCommand({ cla: 0, ins: 0x20, p1: 0, p2: 1, data: pin })).not.toMatch(/3132/);
      expect(describeCommand({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: h('5000') })).toBe('00A4000C 5000');
    });
  });
});
