import fc from 'fast-check';
import { decodeTlvs, encodeLength, encodeTag, encodeTlv, encodeTlvs, MAX_TLV_LENGTH, Tlv, TlvInput } from './ber-tlv';
import { MalformedDataError } from './card-personalization.errors';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Valid tags: 1 byte (not 00, low bits not 1F), 2 bytes (number 31..127), 3 bytes; a first byte FF is padding. */
function tagArb(constructed: boolean): fc.Arbitrary<number> {
  const cls = fc.integer({ min: 0, max: constructed ? 2 : 3 }).map((c) => (c << 6) | (constructed ? 0x20 : 0));
  const one = fc
    .tuple(cls, fc.integer({ min: 0, max: 30 }))
    .map(([c, n]) => c | n)
    .filter((b) => b !== 0x00);
  const two = fc.tuple(cls, fc.integer({ min: 0x1f, max: 0x7f })).map(([c, n]) => ((c | 0x1f) << 8) | n);
  const three = fc
    .tuple(cls, fc.integer({ min: 0x81, max: 0xff }), fc.integer({ min: 0, max: 0x7f }))
    .map(([c, a, b]) => ((c | 0x1f) << 16) | (a << 8) | b);
  return fc.oneof(one, two, three);
}

const tree = fc.letrec<{ node: TlvInput }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: tagArb(false), value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) }),
    fc.record({ tag: tagArb(true), children: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
})).node;

/** The decoded form, back to what encodeTlv takes. */
function asInput(t: Tlv): TlvInput {
  return t.children ? { tag: t.tag, children: t.children.map(asInput) } : { tag: t.tag, value: t.value };
}

function malformed(buf: Buffer, pattern: RegExp, stopAtZeroTag = false) {
  let caught: unknown;
  try {
    decodeTlvs(buf, { stopAtZeroTag });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MalformedDataError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('BER-TLV', () => {
  describe('round trip', () => {
    it('decodes what it encodes, for any tree of TLVs', () => {
      fc.assert(
        fc.property(fc.array(tree, { maxLength: 5 }), (inputs) => {
          const bytes = encodeTlvs(inputs);
          const decoded = decodeTlvs(bytes);
          expect(decoded.length).toBe(bytes.length);
          expect(decoded.tlvs.map(asInput)).toEqual(inputs);
          expect(encodeTlvs(decoded.tlvs.map(asInput))).toEqual(bytes);
        }),
      );
    });

    it('keeps the tag as 1, 2 or 3 bytes', () => {
      fc.assert(
        fc.property(fc.oneof(tagArb(false), tagArb(true)), (tag) => {
          const bytes = encodeTag(tag);
          expect(bytes.readUIntBE(0, bytes.length)).toBe(tag);
          expect(bytes.length).toBe(tag > 0xffff ? 3 : tag > 0xff ? 2 : 1);
        }),
      );
    });

    it('encodes the profile example (an FCP template holding three primitives)', () => {
      const fcp = encodeTlv({
        tag: 0x62,
        children: [
          { tag: 0x80, value: h('0200') },
          { tag: 0x82, value: h('01') },
          { tag: 0x83, value: h('5001') },
        ],
      });
      expect(fcp).toEqual(h('62 0B 80 02 02 00 82 01 01 83 02 50 01'));
    });
  });

  describe('lengths', () => {
    it('uses 1 byte below 128, 81 up to 255, 82 up to 65535, 83 above, and reads each back', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX_TLV_LENGTH }), (n) => {
          const len = encodeLength(n);
          if (n < 0x80) expect(len).toEqual(Buffer.from([n]));
          else if (n <= 0xff) expect(len).toEqual(Buffer.from([0x81, n]));
          else if (n <= 0xffff) expect([len.length, len[0], len.readUInt16BE(1)]).toEqual([3, 0x82, n]);
          else expect([len.length, len[0], len.readUIntBE(1, 3)]).toEqual([4, 0x83, n]);
          // The header alone announces n bytes: decoding it says so (no need to allocate n bytes).
          if (n > 0) malformed(Buffer.concat([h('04'), len]), new RegExp(`announces ${n} bytes, 0 remain`));
        }),
      );
    });

    it('decodes a value of every length form in full', () => {
      fc.assert(
        fc.property(fc.constantFrom(0, 1, 127, 128, 200, 255, 256, 1000, 65535, 65536, 70000), (n) => {
          const value = Buffer.alloc(n, 0x5a);
          const [tlv] = decodeTlvs(encodeTlv({ tag: 0x04, value })).tlvs;
          expect(tlv.value).toEqual(value);
        }),
        { numRuns: 20 },
      );
    });

    it('refuses lengths outside 0..16777215', () => {
      expect(() => encodeLength(-1)).toThrow(RangeError);
      expect(() => encodeLength(MAX_TLV_LENGTH + 1)).toThrow(/outside/);
      expect(() => encodeLength(1.5)).toThrow(RangeError);
    });
  });

  describe('malformed input', () => {
    it('refuses a truncated value, length or tag', () => {
      malformed(h('80 05 01 02'), /truncated: tag 80 at offset 0 announces 5 bytes, 2 remain/);
      malformed(h('80'), /truncated: no length at offset 1/);
      malformed(h('80 82 01'), /truncated: length field at offset 1 needs 2 more bytes/);
      malformed(h('5F'), /truncated multi-byte tag/);
      malformed(h('7F 81'), /truncated multi-byte tag/);
      malformed(h('A0 04 80 03 01 02'), /announces 3 bytes, 2 remain/);
    });

    it('refuses the indefinite length', () => {
      malformed(h('A0 80 80 01 01 00 00'), /indefinite length \(80\) at offset 1 is refused/);
    });

    it('refuses overlong lengths and length fields of more than 3 bytes', () => {
      malformed(h('80 81 05 0102030405'), /overlong length at offset 1: 8105 where 05 is required/);
      malformed(Buffer.concat([h('80 82 00 FF'), Buffer.alloc(255)]), /8200FF where 81FF is required/);
      malformed(Buffer.concat([h('80 83 00 01 00'), Buffer.alloc(256)]), /83000100 where 820100 is required/);
      malformed(h('80 84 00 00 00 01 00'), /more than 3 length bytes/);
    });

    it('refuses tags in more bytes than needed, or longer than 3 bytes', () => {
      malformed(h('1F 1E 00'), /tag number 30 fits in one byte/);
      malformed(h('1F 80 20 00'), /leading zero bits/);
      malformed(h('5F 81 81 01 00'), /longer than 3 bytes/);
      expect(() => encodeTag(0x1f1e)).toThrow(/fits in one byte/);
      expect(() => encodeTag(0x0180)).toThrow(/first 1 byte\(s\) are a whole tag/);
    });

    it('refuses the padding bytes 00 and FF as tags unless asked to stop at 00', () => {
      malformed(h('80 01 01 00 00'), /00 is padding/);
      malformed(h('FF 00'), /FF is padding/);
      const stopped = decodeTlvs(h('80 01 01 81 00 00 00 FF FF'), { stopAtZeroTag: true });
      expect(stopped.length).toBe(5);
      expect(stopped.tlvs.map((t) => t.tag)).toEqual([0x80, 0x81]);
    });

    it('refuses children for a primitive tag', () => {
      expect(() => encodeTlv({ tag: 0x80, children: [] })).toThrow(/primitive/);
    });
  });
});
