/**
 * Streaming DER encoder for X.509 v2 CRLs (RFC 5280 §5) listing opposed cards.
 *
 * Pure code (no Nest, no database): the entries are encoded one by one with
 * {@link encodeRevokedEntry}, then {@link buildCrl} wraps them in a TBSCertList,
 * signs it with the caller's `sign` function and returns the DER CertificateList.
 *
 * The outer lengths must be known before the first byte is written, so the encoded
 * entries are kept as a list of chunks whose total length is summed as they arrive;
 * they are concatenated once, into the TBSCertList that gets signed.
 */
import { createPrivateKey, sign as cryptoSign, KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------
// Reason codes
// ---------------------------------------------------------------------------

/** CRLReason (RFC 5280 §5.3.1); 7 is not used. */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReason = (typeof CrlReason)[keyof typeof CrlReason];

/** The domain's opposition reasons (domain.md; `opposition_reason_check` and `opposition_request_reason_check`). */
export type OppositionReason = 'expiry' | 'loss' | 'theft' | 'malfunction' | 'non-receipt' | 'cessation' | 'replacement';

/** Opposition reason → CRL reason code. */
export const CRL_REASON_CODES: Readonly<Record<OppositionReason, CrlReason>> = Object.freeze({
  expiry: CrlReason.unspecified,
  loss: CrlReason.keyCompromise,
  theft: CrlReason.keyCompromise,
  malfunction: CrlReason.unspecified,
  'non-receipt': CrlReason.unspecified,
  cessation: CrlReason.cessationOfOperation,
  replacement: CrlReason.superseded,
});

/** Reasons for which the entry carries an invalidity date (the card may have been misused since). */
export const REASONS_WITH_INVALIDITY_DATE: readonly OppositionReason[] = ['loss', 'theft'];

// ---------------------------------------------------------------------------
// DER primitives
// ---------------------------------------------------------------------------

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Number of bytes taken by the DER length field for a content of `n` bytes. */
export function lengthSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x1000000) return 4;
  if (n < 0x100000000) return 5;
  throw new RangeError(`DER length too large: ${n}`);
}

/** DER length field (definite form, minimal). */
export function encodeLength(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid DER length: ${n}`);
  const size = lengthSize(n);
  const out = Buffer.allocUnsafe(size);
  writeLength(out, 0, n, size);
  return out;
}

function writeLength(buf: Buffer, offset: number, n: number, size = lengthSize(n)): number {
  if (size === 1) {
    buf[offset] = n;
    return offset + 1;
  }
  buf[offset] = 0x80 | (size - 1);
  for (let i = size - 1; i >= 1; i--) {
    buf[offset + i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  return offset + size;
}

/** Tag + length header for a content of `contentLength` bytes (single-byte tags). */
export function encodeHeader(tag: number, contentLength: number): Buffer {
  const size = lengthSize(contentLength);
  const out = Buffer.allocUnsafe(1 + size);
  out[0] = tag;
  writeLength(out, 1, contentLength, size);
  return out;
}

/** A complete TLV; `content` may be several chunks (concatenated once). */
export function tlv(tag: number, content: Buffer | readonly Buffer[]): Buffer {
  const parts = Buffer.isBuffer(content) ? [content] : content;
  let len = 0;
  for (const p of parts) len += p.length;
  return Buffer.concat([encodeHeader(tag, len), ...parts], 1 + lengthSize(len) + len);
}

export const sequence = (...content: Buffer[]): Buffer => tlv(TAG.SEQUENCE, content);
export const octetString = (content: Buffer): Buffer => tlv(TAG.OCTET_STRING, content);
/** Context-specific tag `[n]`: constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive (IMPLICIT). */
export const contextTag = (n: number, content: Buffer | readonly Buffer[], constructed = true): Buffer => {
  if (n < 0 || n > 30) throw new RangeError(`unsupported context tag: ${n}`);
  return tlv(0x80 | (constructed ? 0x20 : 0) | n, content);
};
export const derBoolean = (value: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, value ? 0xff : 0x00]);

/** Minimal two's-complement content bytes of a non-negative integer. */
function unsignedIntegerContent(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('negative integers are not supported');
  let hex = value.toString(16);
  if (hex.length & 1) hex = `0${hex}`;
  // High bit set: prepend 0x00 so the value stays positive.
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return Buffer.from(hex, 'hex');
}

/** INTEGER from a non-negative bigint / safe integer. */
export function derInteger(value: bigint | number): Buffer {
  return tlv(TAG.INTEGER, unsignedIntegerContent(BigInt(value)));
}

const DECIMAL = /^[0-9]+$/;

/** Parses a card number (decimal digits) into a positive serial number of at most 20 octets (RFC 5280 §4.1.2.2). */
export function parseSerial(serial: string): bigint {
  if (typeof serial !== 'string' || !DECIMAL.test(serial)) {
    throw new RangeError(`serial must be decimal digits: ${JSON.stringify(serial)}`);
  }
  const value = BigInt(serial);
  if (value === 0n) throw new RangeError('serial must be positive');
  if (value >= 1n << 159n) throw new RangeError(`serial exceeds 20 octets: ${serial}`);
  return value;
}

/** INTEGER from a decimal string (a card number): positive, minimal, 0x00-prefixed when the high bit is set. */
export function derIntegerFromDecimal(serial: string): Buffer {
  return tlv(TAG.INTEGER, unsignedIntegerContent(parseSerial(serial)));
}

/** ENUMERATED (small non-negative values). */
export function derEnumerated(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`invalid ENUMERATED: ${value}`);
  return tlv(TAG.ENUMERATED, unsignedIntegerContent(BigInt(value)));
}

/** OBJECT IDENTIFIER from dotted notation. */
export function derOid(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => {
    if (!DECIMAL.test(a)) throw new RangeError(`invalid OID: ${oid}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) throw new RangeError(`invalid OID: ${oid}`);
  const bytes: number[] = [];
  const pushArc = (arc: bigint): void => {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (arc >>= 7n; arc > 0n; arc >>= 7n) groups.unshift(Number(arc & 0x7fn) | 0x80);
    bytes.push(...groups);
  };
  pushArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return tlv(TAG.OID, Buffer.from(bytes));
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

function checkDate(date: Date): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 9999) throw new RangeError(`date out of range: ${date.toISOString()}`);
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (UTC, no fractional seconds). */
export function derGeneralizedTime(date: Date): Buffer {
  checkDate(date);
  return Buffer.from([TAG.GENERALIZED_TIME, 15, ...Buffer.from(generalizedTimeString(date), 'latin1')]);
}

/** UTCTime `YYMMDDHHMMSSZ` (years 1950–2049). */
export function derUtcTime(date: Date): Buffer {
  checkDate(date);
  const y = date.getUTCFullYear();
  if (y >= 2050) throw new RangeError('UTCTime only covers 1950–2049');
  return Buffer.from([TAG.UTC_TIME, 13, ...Buffer.from(generalizedTimeString(date).slice(2), 'latin1')]);
}

/** RFC 5280 Time: UTCTime before 2050, GeneralizedTime from 2050. */
export function derTime(date: Date): Buffer {
  checkDate(date);
  return date.getUTCFullYear() < 2050 ? derUtcTime(date) : derGeneralizedTime(date);
}

function generalizedTimeString(date: Date): string {
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    'Z'
  );
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export function encodeExtension(oid: string | Buffer, value: Buffer, critical = false): Buffer {
  const id = typeof oid === 'string' ? derOid(oid) : oid;
  return critical ? sequence(id, derBoolean(true), octetString(value)) : sequence(id, octetString(value));
}

// ---------------------------------------------------------------------------
// OIDs and algorithm identifiers
// ---------------------------------------------------------------------------

export const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** AlgorithmIdentifier for ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2). */
export const ECDSA_SHA256_ALGORITHM: Buffer = sequence(derOid(OID.ecdsaWithSHA256));

const REASON_CODE_OID = derOid(OID.reasonCode);
const INVALIDITY_DATE_OID = derOid(OID.invalidityDate);
/** Pre-encoded reasonCode extensions, by code. */
const REASON_EXTENSIONS = new Map<number, Buffer>(
  Object.values(CrlReason).map((code) => [code, encodeExtension(REASON_CODE_OID, derEnumerated(code))]),
);

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

export interface RevokedEntry {
  /** The card number, decimal digits; becomes the entry's userCertificate serial number. */
  serial: string;
  /** The opposition date (revocationDate). */
  revokedAt: Date;
  /** Omitted, or `unspecified`, encodes no reasonCode extension (RFC 5280 §5.3.1 recommends absence over 0). */
  reason?: CrlReason;
  /** Date from which the card must be considered compromised (loss, theft). */
  invalidityDate?: Date;
}

/**
 * revokedCertificates entry: SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL }.
 *
 * Hot path (one call per opposed card): the entry is written directly into a single buffer.
 */
export function encodeRevokedEntry(entry: RevokedEntry): Buffer {
  const serial = serialContent(entry.serial);
  const revokedAt = entry.revokedAt;
  checkDate(revokedAt);
  const generalized = revokedAt.getUTCFullYear() >= 2050;
  const timeLength = generalized ? 17 : 15;

  if (entry.reason !== undefined && !REASON_EXTENSIONS.has(entry.reason)) {
    throw new RangeError(`invalid CRL reason: ${entry.reason}`);
  }
  const reasonExt = entry.reason === undefined || entry.reason === CrlReason.unspecified ? undefined : REASON_EXTENSIONS.get(entry.reason);
  const invalidityDate = entry.invalidityDate;
  if (invalidityDate !== undefined) checkDate(invalidityDate);

  // invalidityDate extension: 30 18 | 06 03 55 1d 18 | 04 11 | 18 0f YYYYMMDDHHMMSSZ
  const extsContent = (reasonExt ? reasonExt.length : 0) + (invalidityDate ? INVALIDITY_EXTENSION_LENGTH : 0);
  const extsLength = extsContent > 0 ? 1 + lengthSize(extsContent) + extsContent : 0;
  const content = 1 + lengthSize(serial.length) + serial.length + timeLength + extsLength;
  const out = Buffer.allocUnsafe(1 + lengthSize(content) + content);

  out[0] = TAG.SEQUENCE;
  let pos = writeLength(out, 1, content);
  out[pos++] = TAG.INTEGER;
  pos = writeLength(out, pos, serial.length);
  pos += serial.copy(out, pos);
  pos = writeTime(out, pos, revokedAt, generalized);
  if (extsContent > 0) {
    out[pos++] = TAG.SEQUENCE;
    pos = writeLength(out, pos, extsContent);
    if (reasonExt) pos += reasonExt.copy(out, pos);
    if (invalidityDate) {
      pos += INVALIDITY_EXTENSION_PREFIX.copy(out, pos);
      pos = writeTime(out, pos, invalidityDate, true);
    }
  }
  if (pos !== out.length) throw new Error(`internal error: entry length ${pos} != ${out.length}`);
  return out;
}

const INVALIDITY_EXTENSION_PREFIX = Buffer.from([0x30, 0x18, ...INVALIDITY_DATE_OID, 0x04, 0x11]);
const INVALIDITY_EXTENSION_LENGTH = INVALIDITY_EXTENSION_PREFIX.length + 17;

/** INTEGER content of a card number; numbers up to 15 digits avoid BigInt. */
function serialContent(serial: string): Buffer {
  if (typeof serial !== 'string' || serial.length === 0) throw new RangeError(`serial must be decimal digits: ${JSON.stringify(serial)}`);
  if (serial.length > 15) return unsignedIntegerContent(parseSerial(serial));
  let n = 0;
  for (let i = 0; i < serial.length; i++) {
    const c = serial.charCodeAt(i) - 48;
    if (c < 0 || c > 9) throw new RangeError(`serial must be decimal digits: ${JSON.stringify(serial)}`);
    n = n * 10 + c;
  }
  if (n === 0) throw new RangeError('serial must be positive');
  const bytes: number[] = [];
  while (n > 0) {
    bytes.push(n % 256);
    n = Math.floor(n / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return Buffer.from(bytes.reverse());
}

function write2(buf: Buffer, pos: number, v: number): number {
  buf[pos] = 48 + ((v / 10) | 0);
  buf[pos + 1] = 48 + (v % 10);
  return pos + 2;
}

/** Writes a UTCTime (13 chars) or GeneralizedTime (15 chars) TLV; the date must have been checked. */
function writeTime(buf: Buffer, pos: number, date: Date, generalized: boolean): number {
  const year = date.getUTCFullYear();
  buf[pos++] = generalized ? TAG.GENERALIZED_TIME : TAG.UTC_TIME;
  buf[pos++] = generalized ? 15 : 13;
  if (generalized) pos = write2(buf, pos, (year / 100) | 0);
  pos = write2(buf, pos, year % 100);
  pos = write2(buf, pos, date.getUTCMonth() + 1);
  pos = write2(buf, pos, date.getUTCDate());
  pos = write2(buf, pos, date.getUTCHours());
  pos = write2(buf, pos, date.getUTCMinutes());
  pos = write2(buf, pos, date.getUTCSeconds());
  buf[pos++] = 0x5a; // 'Z'
  return pos;
}

// ---------------------------------------------------------------------------
// CRL
// ---------------------------------------------------------------------------

export interface BuildCrlOptions {
  /** The issuer Name DER (the issuer certificate's subject, see {@link extractSubjectNameDer}). */
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date;
  /** cRLNumber: must strictly increase from one CRL (full or delta) to the next; the caller keeps the sequence. */
  crlNumber: bigint;
  /** Makes a delta CRL: the BaseCRLNumber of the deltaCRLIndicator extension (RFC 5280 §5.2.4). */
  deltaBaseCrlNumber?: bigint;
  /** keyIdentifier of the authorityKeyIdentifier extension (the issuer's subjectKeyIdentifier). */
  authorityKeyIdentifier?: Buffer;
  /** Encoded entries ({@link encodeRevokedEntry}), in any order. */
  entries: AsyncIterable<Buffer> | Iterable<Buffer>;
  /** Signs the DER TBSCertList and returns the signature (DER ECDSA-Sig-Value for ECDSA). */
  sign: (tbs: Buffer) => Promise<Buffer> | Buffer;
  /** The AlgorithmIdentifier DER, used both inside and outside the TBSCertList. */
  signatureAlgorithmDer: Buffer;
}

const MAX_CRL_NUMBER = 1n << 159n; // 20 octets (RFC 5280 §5.2.3)
const VERSION_V2 = derInteger(1);

/** Builds and signs a CertificateList; returns its DER. */
export async function buildCrl(opts: BuildCrlOptions): Promise<Buffer> {
  checkDate(opts.thisUpdate);
  checkDate(opts.nextUpdate);
  if (opts.nextUpdate.getTime() <= opts.thisUpdate.getTime()) throw new RangeError('nextUpdate must be after thisUpdate');
  if (opts.crlNumber < 0n || opts.crlNumber >= MAX_CRL_NUMBER) throw new RangeError('crlNumber out of range');
  if (opts.deltaBaseCrlNumber !== undefined) {
    if (opts.deltaBaseCrlNumber < 0n || opts.deltaBaseCrlNumber >= opts.crlNumber) {
      throw new RangeError('deltaBaseCrlNumber must be below the delta CRL number');
    }
  }

  // Collect the entries as chunks; only their total length is needed for the headers.
  const chunks: Buffer[] = [];
  let entriesLength = 0;
  const { entries } = opts;
  if (Symbol.asyncIterator in entries) {
    for await (const e of entries as AsyncIterable<Buffer>) {
      chunks.push(e);
      entriesLength += e.length;
    }
  } else {
    for (const e of entries as Iterable<Buffer>) {
      chunks.push(e);
      entriesLength += e.length;
    }
  }

  const extensions: Buffer[] = [];
  if (opts.authorityKeyIdentifier) {
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
    extensions.push(encodeExtension(OID.authorityKeyIdentifier, sequence(contextTag(0, opts.authorityKeyIdentifier, false))));
  }
  extensions.push(encodeExtension(OID.cRLNumber, derInteger(opts.crlNumber)));
  if (opts.deltaBaseCrlNumber !== undefined) {
    extensions.push(encodeExtension(OID.deltaCRLIndicator, derInteger(opts.deltaBaseCrlNumber), true));
  }

  const head = [VERSION_V2, opts.signatureAlgorithmDer, opts.issuerDer, derTime(opts.thisUpdate), derTime(opts.nextUpdate)];
  // revokedCertificates is absent when there are no entries (RFC 5280 §5.1.2.6).
  const revokedHeader = chunks.length > 0 ? [encodeHeader(TAG.SEQUENCE, entriesLength)] : [];
  const tail = [contextTag(0, tlv(TAG.SEQUENCE, extensions))];

  let tbsContentLength = entriesLength;
  for (const b of head) tbsContentLength += b.length;
  for (const b of revokedHeader) tbsContentLength += b.length;
  for (const b of tail) tbsContentLength += b.length;
  const tbsHeader = encodeHeader(TAG.SEQUENCE, tbsContentLength);

  const parts = [tbsHeader, ...head, ...revokedHeader];
  const all = parts.concat(chunks, tail); // array concat (no byte copy), then a single byte concat
  const tbs = Buffer.concat(all, tbsHeader.length + tbsContentLength);

  const signature = await opts.sign(tbs);
  const signatureValue = tlv(TAG.BIT_STRING, [Buffer.from([0]), signature]);
  const outerLength = tbs.length + opts.signatureAlgorithmDer.length + signatureValue.length;
  return Buffer.concat([encodeHeader(TAG.SEQUENCE, outerLength), tbs, opts.signatureAlgorithmDer, signatureValue]);
}

/** A `sign` function for {@link buildCrl}: ECDSA (P-256) with SHA-256, DER signature. */
export function ecdsaSha256Signer(privateKey: KeyObject | string | Buffer): (tbs: Buffer) => Buffer {
  const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
  return (tbs) => cryptoSign('sha256', tbs, { key, dsaEncoding: 'der' });
}

// ---------------------------------------------------------------------------
// Minimal DER reading
// ---------------------------------------------------------------------------

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the content. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

/** Reads one TLV (single-byte tag, definite length) at `offset`. */
export function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new RangeError('truncated DER');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new RangeError('multi-byte tags are not supported');
  let pos = offset + 1;
  let len = buf[pos++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('unsupported DER length');
    if (pos + n > buf.length) throw new RangeError('truncated DER');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
  }
  const end = pos + len;
  if (end > buf.length) throw new RangeError('truncated DER');
  return { tag, offset, start: pos, end };
}

/** The children of a constructed TLV. */
export function readChildren(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const child = readTlv(buf, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Converts a PEM block (first one found) to DER. */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (!m) throw new Error('no PEM block found');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/**
 * The subject Name DER of a certificate (DER or PEM): Certificate → TBSCertificate →
 * [0] version (optional), serialNumber, signature, issuer, validity, subject.
 */
export function extractSubjectNameDer(certificate: Buffer | string): Buffer {
  const der =
    typeof certificate === 'string' || certificate.subarray(0, 11).toString('latin1') === '-----BEGIN '
      ? pemToDer(certificate.toString())
      : certificate;
  const cert = readTlv(der, 0);
  if (cert.tag !== TAG.SEQUENCE) throw new Error('not a certificate');
  const tbs = readTlv(der, cert.start);
  if (tbs.tag !== TAG.SEQUENCE) throw new Error('not a certificate');
  const fields = readChildren(der, tbs);
  const i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[i + 4];
  if (!subject || subject.tag !== TAG.SEQUENCE) throw new Error('certificate subject not found');
  return Buffer.from(der.subarray(subject.offset, subject.end));
}
