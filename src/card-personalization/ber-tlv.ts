/**
 * BER-TLV as ISO/IEC 7816-4 uses it: tags of 1 to 3 bytes, definite lengths only, in
 * their shortest form (1 byte below 128, `81 LL` up to 255, `82 LL LL` up to 65 535,
 * `83 LL LL LL` up to 16 777 215). Constructed tags (bit 6 of the first byte) hold
 * TLVs. Decoding is strict: truncated input, an indefinite length (`80`), a length in a
 * longer form than needed, a tag in more bytes than needed and trailing garbage are
 * refused with a MalformedDataError naming the offset.
 *
 * Pure code: no framework, no database.
 */
import { MalformedDataError } from './card-personalization.errors';

/** A TLV: `value` holds the raw value bytes; `children` is set for a constructed tag. */
export interface Tlv {
  /** The tag bytes read as a big-endian number: 0x80, 0xA0, 0x5F20, 0x7F4901... */
  tag: number;
  value: Buffer;
  children?: Tlv[];
}

/** What to encode: a primitive value, or the children of a constructed tag. */
export type TlvInput = { tag: number; value: Buffer } | { tag: number; children: TlvInput[] };

export const MAX_TLV_LENGTH = 0xffffff;
const MAX_DEPTH = 16;

/** The bytes of a tag number (refuses numbers that are not a valid 1-3 byte tag). */
export function encodeTag(tag: number): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new RangeError(`tag ${tag} is not a 1 to 3 byte tag`);
  const buf = Buffer.from(tag > 0xffff ? [tag >>> 16, (tag >>> 8) & 0xff, tag & 0xff] : tag > 0xff ? [tag >>> 8, tag & 0xff] : [tag]);
  let next: number;
  try {
    next = readTag(buf, 0, buf.length).next;
  } catch (e) {
    throw new RangeError(`tag ${hex(buf)} is not a valid tag: ${(e as Error).message}`);
  }
  if (next !== buf.length) throw new RangeError(`tag ${hex(buf)} is not a valid tag: its first ${next} byte(s) are a whole tag`);
  return buf;
}

/** Whether the tag's first byte says "constructed" (bit 6). */
export function isConstructed(tag: number): boolean {
  return (firstTagByte(tag) & 0x20) !== 0;
}

function firstTagByte(tag: number): number {
  return tag > 0xffff ? tag >>> 16 : tag > 0xff ? tag >>> 8 : tag;
}

/** The length field for `n` in its shortest definite form. */
export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > MAX_TLV_LENGTH) throw new RangeError(`length ${n} is outside 0..${MAX_TLV_LENGTH}`);
  if (n < 0x80) return Buffer.from([n]);
  if (n <= 0xff) return Buffer.from([0x81, n]);
  if (n <= 0xffff) return Buffer.from([0x82, n >>> 8, n & 0xff]);
  return Buffer.from([0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff]);
}

/** One TLV's bytes. A constructed tag takes children; a primitive tag takes a value. */
export function encodeTlv(input: TlvInput): Buffer {
  const constructed = isConstructed(input.tag);
  let value: Buffer;
  if ('children' in input) {
    if (!constructed) throw new RangeError(`tag ${hex(encodeTag(input.tag))} is primitive: it takes a value, not children`);
    value = encodeTlvs(input.children);
  } else {
    value = input.value;
  }
  return Buffer.concat([encodeTag(input.tag), encodeLength(value.length), value]);
}

export function encodeTlvs(inputs: readonly TlvInput[]): Buffer {
  return Buffer.concat(inputs.map(encodeTlv));
}

export interface DecodeOptions {
  /** Stop at the first tag byte 00 (the rest of a file is 00 padding) instead of refusing it. */
  stopAtZeroTag?: boolean;
}

export interface Decoded {
  tlvs: Tlv[];
  /** How many bytes the TLVs took (the position of the stopping 00, or the input length). */
  length: number;
}

/** Decodes a sequence of TLVs that fills `buf` (or stops at a 00 tag when asked). */
export function decodeTlvs(buf: Buffer, options: DecodeOptions = {}): Decoded {
  return decodeRange(buf, 0, buf.length, options.stopAtZeroTag ?? false, 0);
}

function decodeRange(buf: Buffer, start: number, end: number, stopAtZero: boolean, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw new MalformedDataError(`BER-TLV nested deeper than ${MAX_DEPTH} levels at offset ${start}`);
  const tlvs: Tlv[] = [];
  let pos = start;
  while (pos < end) {
    if (stopAtZero && buf[pos] === 0x00) return { tlvs, length: pos - start };
    const tag = readTag(buf, pos, end);
    const len = readLength(buf, tag.next, end);
    const valueEnd = len.next + len.length;
    if (valueEnd > end) {
      throw new MalformedDataError(
        `BER-TLV truncated: tag ${hex(buf.subarray(pos, tag.next))} at offset ${pos} announces ${len.length} bytes, ${end - len.next} remain`,
      );
    }
    const value = Buffer.from(buf.subarray(len.next, valueEnd));
    const tlv: Tlv = { tag: tag.tag, value };
    if ((buf[pos] & 0x20) !== 0) tlv.children = decodeRange(buf, len.next, valueEnd, false, depth + 1).tlvs;
    tlvs.push(tlv);
    pos = valueEnd;
  }
  return { tlvs, length: pos - start };
}

/** Why the tag bytes at `pos` are not a valid tag, or null. */
function tagProblem(buf: Buffer, pos: number, end: number): string | null {
  const first = buf[pos];
  if (first === 0x00 || first === 0xff) return `${hex(buf.subarray(pos, pos + 1))} is padding, not a tag`;
  if ((first & 0x1f) !== 0x1f) return null;
  if (pos + 1 >= end) return 'truncated multi-byte tag';
  const second = buf[pos + 1];
  if (second === 0x80) return 'first subsequent tag byte 80 (leading zero bits) is not allowed';
  if ((second & 0x80) === 0) {
    if (second < 0x1f) return `tag number ${second} fits in one byte`;
    return null;
  }
  if (pos + 2 >= end) return 'truncated multi-byte tag';
  if ((buf[pos + 2] & 0x80) !== 0) return 'tag longer than 3 bytes';
  return null;
}

function readTag(buf: Buffer, pos: number, end: number): { tag: number; next: number } {
  const first = buf[pos];
  let size = 1;
  if ((first & 0x1f) === 0x1f) size = pos + 1 < end && (buf[pos + 1] & 0x80) !== 0 ? 3 : 2;
  const problem = tagProblem(buf, pos, Math.min(end, pos + size));
  if (problem) throw new MalformedDataError(`BER-TLV bad tag at offset ${pos}: ${problem}`);
  return { tag: buf.readUIntBE(pos, size), next: pos + size };
}

function readLength(buf: Buffer, pos: number, end: number): { length: number; next: number } {
  if (pos >= end) throw new MalformedDataError(`BER-TLV truncated: no length at offset ${pos}`);
  const first = buf[pos];
  if (first < 0x80) return { length: first, next: pos + 1 };
  if (first === 0x80) throw new MalformedDataError(`BER-TLV indefinite length (80) at offset ${pos} is refused`);
  const count = first & 0x7f;
  if (count > 3)
    throw new MalformedDataError(`BER-TLV length field ${hex(Buffer.from([first]))} at offset ${pos}: more than 3 length bytes`);
  if (pos + 1 + count > end) throw new MalformedDataError(`BER-TLV truncated: length field at offset ${pos} needs ${count} more bytes`);
  const length = buf.readUIntBE(pos + 1, count);
  const minimal = encodeLength(length).length - 1;
  if (count !== minimal) {
    throw new MalformedDataError(
      `BER-TLV overlong length at offset ${pos}: ${hex(buf.subarray(pos, pos + 1 + count))} where ${hex(encodeLength(length))} is required`,
    );
  }
  return { length, next: pos + 1 + count };
}

/** Finds a child TLV by tag (first match). */
export function findTlv(tlvs: readonly Tlv[], tag: number): Tlv | undefined {
  return tlvs.find((t) => t.tag === tag);
}

export function hex(buf: Buffer): string {
  return buf.toString('hex').toUpperCase();
}
