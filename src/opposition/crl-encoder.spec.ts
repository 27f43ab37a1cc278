import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, verifyCrl as opensslVerifyCrl } from '../../test/support/openssl';
import {
  buildCrl,
  CRL_REASON_CODES,
  CrlReason,
  derGeneralizedTime,
  derIntegerFromDecimal,
  derOid,
  derTime,
  ECDSA_SHA256_ALGORITHM,
  ecdsaSha256Signer,
  encodeLength,
  encodeRevokedEntry,
  extractSubjectNameDer,
  readChildren,
  readTlv,
  sequence,
} from './crl-encoder';

const hex = (b: Buffer): string => b.toString('hex');
/** Serial as openssl prints it in CRL entries: the value in uppercase hex, whole bytes (no sign byte). */
const opensslSerial = (serial: string): string => {
  const h = BigInt(serial).toString(16).toUpperCase();
  return h.length % 2 ? `0${h}` : h;
};

describe('DER helpers', () => {
  it('encodes lengths in minimal definite form', () => {
    expect(hex(encodeLength(0))).toBe('00');
    expect(hex(encodeLength(0x7f))).toBe('7f');
    expect(hex(encodeLength(0x80))).toBe('8180');
    expect(hex(encodeLength(0xff))).toBe('81ff');
    expect(hex(encodeLength(0x100))).toBe('820100');
    expect(hex(encodeLength(0x1000000))).toBe('8401000000');
  });

  it('encodes card numbers as positive minimal INTEGERs', () => {
    expect(hex(derIntegerFromDecimal('1'))).toBe('020101');
    expect(hex(derIntegerFromDecimal('127'))).toBe('02017f');
    expect(hex(derIntegerFromDecimal('128'))).toBe('02020080');
    expect(hex(derIntegerFromDecimal('256'))).toBe('02020100');
    expect(hex(derIntegerFromDecimal('0000255'))).toBe('020200ff');
    // the README's example: card 2800000016 is the integer 0xA6E49C10 (openssl prints A6E49C10)
    expect(hex(derIntegerFromDecimal('2800000016'))).toBe('020500a6e49c10');
    expect(hex(derIntegerFromDecimal('80000000000000000000'))).toBe('020904563918244f400000');
    expect(() => derIntegerFromDecimal('0')).toThrow(RangeError);
    expect(() => derIntegerFromDecimal('-5')).toThrow(RangeError);
    expect(() => derIntegerFromDecimal('12a')).toThrow(RangeError);
    expect(() => derIntegerFromDecimal('')).toThrow(RangeError);
    expect(() => derIntegerFromDecimal((1n << 160n).toString())).toThrow(RangeError);
  });

  it('encodes OIDs', () => {
    expect(hex(derOid('2.5.29.20'))).toBe('0603551d14');
    expect(hex(derOid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(ECDSA_SHA256_ALGORITHM)).toBe('300a06082a8648ce3d040302');
  });

  it('uses UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(derTime(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(derTime(new Date('1950-01-01T00:00:00Z')).toString('latin1')).toBe('\x17\x0d500101000000Z');
    expect(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(derGeneralizedTime(new Date('2024-03-05T07:08:09Z')).toString('latin1')).toBe('\x18\x0f20240305070809Z');
    expect(() => derTime(new Date('1949-12-31T23:59:59Z'))).toThrow(RangeError);
    expect(() => derTime(new Date(NaN))).toThrow(RangeError);
  });
});

describe('encodeRevokedEntry', () => {
  const at = new Date('2024-05-01T10:00:00Z');

  it('encodes serial and date only when there is neither reason nor invalidity date', () => {
    expect(hex(encodeRevokedEntry({ serial: '300', revokedAt: at }))).toBe('3013' + '0202012c' + '170d3234303530313130303030305a');
    // unspecified (0): the reasonCode extension is omitted, as RFC 5280 §5.3.1 recommends.
    expect(
      encodeRevokedEntry({
        serial: '300',
        revokedAt: at,
        reason: CrlReason.unspecified,
      }),
    ).toEqual(encodeRevokedEntry({ serial: '300', revokedAt: at }));
  });

  it('adds the reasonCode and invalidityDate extensions', () => {
    const der = encodeRevokedEntry({
      serial: '300',
      revokedAt: at,
      reason: CrlReason.keyCompromise,
      invalidityDate: new Date('2024-04-30T08:00:00Z'),
    });
    expect(hex(der)).toBe(
      '303b' +
        '0202012c' +
        '170d3234303530313130303030305a' +
        '3026' +
        ('300a' + '0603551d15' + '0403' + '0a0101') +
        ('3018' + '0603551d18' + '0411' + '180f' + Buffer.from('20240430080000Z').toString('hex')),
    );
  });

  it('agrees with the generic helpers for large serials and dates from 2050', () => {
    const der = encodeRevokedEntry({
      serial: '12345678901234567890',
      revokedAt: new Date('2051-02-03T04:05:06Z'),
    });
    expect(der).toEqual(sequence(derIntegerFromDecimal('12345678901234567890'), derGeneralizedTime(new Date('2051-02-03T04:05:06Z'))));
  });

  it('rejects invalid input', () => {
    expect(() => encodeRevokedEntry({ serial: '12x', revokedAt: at })).toThrow(RangeError);
    expect(() => encodeRevokedEntry({ serial: '0', revokedAt: at })).toThrow(RangeError);
    expect(() =>
      encodeRevokedEntry({
        serial: '1',
        revokedAt: at,
        reason: 7 as CrlReason,
      }),
    ).toThrow(RangeError);
    expect(() => encodeRevokedEntry({ serial: '1', revokedAt: new Date('x') })).toThrow(RangeError);
  });
});

describe('CRL_REASON_CODES', () => {
  it('maps the opposition reasons to RFC 5280 reason codes', () => {
    expect(CRL_REASON_CODES).toEqual({
      expiry: 0,
      loss: 1,
      theft: 1,
      malfunction: 0,
      'non-receipt': 0,
      cessation: 5,
      replacement: 4,
    });
  });
});

describe('buildCrl (checked with the openssl CLI)', () => {
  let dir: string;
  /** `openssl crl -verify` against the issuer certificate of this suite. */
  const verifyCrl = (file: string): string => opensslVerifyCrl(file, join(dir, 'cert.pem'));
  /** The CRL as openssl prints it. */
  const crlText = (file: string): string => openssl('crl', '-inform', 'DER', '-in', file, '-noout', '-text');
  let certPem: string;
  let keyPem: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crl-encoder-'));
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'key.pem'));
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'key.pem'),
      '-sha256',
      '-days',
      '30',
      '-subj',
      '/C=FR/O=Back-office test/CN=Test CRL issuer',
      '-out',
      join(dir, 'cert.pem'),
    );
    certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** keyIdentifier method 1 (SHA-1 of the subjectPublicKey bits), as openssl computes the SKI. */
  const keyIdentifier = (): Buffer => {
    const spki = createPublicKey(certPem).export({
      type: 'spki',
      format: 'der',
    });
    const fields = readChildren(spki, readTlv(spki, 0));
    const bits = fields[1];
    return createHash('sha1')
      .update(spki.subarray(bits.start + 1, bits.end))
      .digest();
  };

  const writeCrl = (name: string, der: Buffer): string => {
    const file = join(dir, name);
    writeFileSync(file, der);
    return file;
  };

  const at = new Date('2024-05-01T10:00:00Z');
  const thisUpdate = new Date('2024-05-02T00:00:00Z');
  const nextUpdate = new Date('2024-05-03T00:00:00Z');
  const entries = [
    {
      serial: '80012345678',
      revokedAt: at,
      reason: CRL_REASON_CODES.loss,
      invalidityDate: new Date('2024-04-30T18:30:00Z'),
    },
    {
      serial: '80012345679',
      revokedAt: at,
      reason: CRL_REASON_CODES.replacement,
    },
    { serial: '255', revokedAt: at, reason: CRL_REASON_CODES.cessation },
    {
      serial: '80012345680',
      revokedAt: at,
      reason: CRL_REASON_CODES.malfunction,
    },
    {
      serial: '80012345681',
      revokedAt: at,
      reason: CrlReason.affiliationChanged, // a code no opposition reason maps to: the encoder writes any RFC 5280 code
    },
  ];

  it('extracts the subject Name DER of the issuer certificate', () => {
    const subject = extractSubjectNameDer(certPem);
    expect(readTlv(subject, 0)).toMatchObject({
      tag: 0x30,
      offset: 0,
      end: subject.length,
    });
    expect(subject.toString('latin1')).toContain('Test CRL issuer');
    expect(extractSubjectNameDer(Buffer.from(certPem))).toEqual(subject);
  });

  it('produces a full CRL that openssl verifies and decodes', async () => {
    const der = await buildCrl({
      issuerDer: extractSubjectNameDer(certPem),
      thisUpdate,
      nextUpdate,
      crlNumber: 42n,
      authorityKeyIdentifier: keyIdentifier(),
      entries: entries.map(encodeRevokedEntry),
      sign: ecdsaSha256Signer(keyPem),
      signatureAlgorithmDer: ECDSA_SHA256_ALGORITHM,
    });
    const file = writeCrl('full.crl', der);

    expect(verifyCrl(file)).toContain('verify OK');
    const text = crlText(file);
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Issuer: C = FR, O = Back-office test, CN = Test CRL issuer');
    expect(text).toContain('Last Update: May  2 00:00:00 2024 GMT');
    expect(text).toContain('Next Update: May  3 00:00:00 2024 GMT');
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*42\n/);
    expect(text).not.toContain('Delta CRL Indicator');
    const ski = openssl('x509', '-in', join(dir, 'cert.pem'), '-noout', '-ext', 'subjectKeyIdentifier').split('\n')[1].trim();
    expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s*\\n\\s*(keyid:)?${ski}`));

    for (const e of entries) expect(text).toContain(`Serial Number: ${opensslSerial(e.serial)}\n`);
    expect(text).toContain('Serial Number: 12A11B814E\n'); // 80012345678
    expect(text).toContain('Serial Number: FF\n'); // 255, encoded 02 02 00 FF
    expect(text.match(/Serial Number:/g)).toHaveLength(entries.length);
    expect(text).toContain('Key Compromise');
    expect(text).toContain('Superseded');
    expect(text).toContain('Cessation Of Operation');
    expect(text).toContain('Affiliation Changed');
    expect(text.match(/X509v3 CRL Reason Code/g)).toHaveLength(4); // not for unspecified
    expect(text).toMatch(/Invalidity Date:\s*\n\s*Apr 30 18:30:00 2024 GMT/);
    expect(text.match(/Invalidity Date/g)).toHaveLength(1);

    // The signature also checks out with the public key alone.
    const crl = readChildren(der, readTlv(der, 0));
    expect(crl).toHaveLength(3);
    const tbs = der.subarray(crl[0].offset, crl[0].end);
    const signature = der.subarray(crl[2].start + 1, crl[2].end);
    expect(verify('sha256', tbs, { key: createPublicKey(certPem), dsaEncoding: 'der' }, signature)).toBe(true);
  });

  it('produces a delta CRL naming its base CRL number', async () => {
    async function* delta(): AsyncIterable<Buffer> {
      yield encodeRevokedEntry({
        serial: '80012345690',
        revokedAt: at,
        reason: CRL_REASON_CODES.theft,
        invalidityDate: at,
      });
    }
    const der = await buildCrl({
      issuerDer: extractSubjectNameDer(certPem),
      thisUpdate,
      nextUpdate,
      crlNumber: 43n,
      deltaBaseCrlNumber: 42n,
      entries: delta(),
      sign: async (tbs) => ecdsaSha256Signer(createPrivateKey(keyPem))(tbs),
      signatureAlgorithmDer: ECDSA_SHA256_ALGORITHM,
    });
    const file = writeCrl('delta.crl', der);
    expect(verifyCrl(file)).toContain('verify OK');
    const text = crlText(file);
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*43\n/);
    expect(text).toMatch(/X509v3 Delta CRL Indicator: critical\s*\n\s*42\n/);
    expect(text).toContain(`Serial Number: ${opensslSerial('80012345690')}`);
    expect(text).toContain('Key Compromise');
  });

  it('omits revokedCertificates when there are no entries', async () => {
    const der = await buildCrl({
      issuerDer: extractSubjectNameDer(certPem),
      thisUpdate,
      nextUpdate,
      crlNumber: 1n,
      entries: [],
      sign: ecdsaSha256Signer(keyPem),
      signatureAlgorithmDer: ECDSA_SHA256_ALGORITHM,
    });
    const file = writeCrl('empty.crl', der);
    expect(verifyCrl(file)).toContain('verify OK');
    expect(openssl('crl', '-inform', 'DER', '-in', file, '-noout', '-text')).toContain('No Revoked Certificates.');
  });

  it('rejects inconsistent options', async () => {
    const base = {
      issuerDer: extractSubjectNameDer(certPem),
      thisUpdate,
      nextUpdate,
      crlNumber: 5n,
      entries: [],
      sign: ecdsaSha256Signer(keyPem),
      signatureAlgorithmDer: ECDSA_SHA256_ALGORITHM,
    };
    await expect(buildCrl({ ...base, nextUpdate: thisUpdate })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, deltaBaseCrlNumber: 5n })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, crlNumber: -1n })).rejects.toThrow(RangeError);
  });

  it('encodes 100,000 entries into a CRL with that many entries', async () => {
    const count = 100_000;
    function* many(): Iterable<Buffer> {
      for (let i = 0; i < count; i++) {
        yield encodeRevokedEntry({
          serial: String(80_000_000_000 + i),
          revokedAt: new Date(at.getTime() + i * 1000),
          reason: i % 3 === 0 ? CrlReason.keyCompromise : CrlReason.superseded,
          invalidityDate: i % 3 === 0 ? at : undefined,
        });
      }
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    });
    const der = await buildCrl({
      issuerDer: extractSubjectNameDer(certPem),
      thisUpdate,
      nextUpdate,
      crlNumber: 7n,
      entries: many(),
      sign: ecdsaSha256Signer(privateKey),
      signatureAlgorithmDer: ECDSA_SHA256_ALGORITHM,
    });

    // Walk the outer lengths: CertificateList → TBSCertList → revokedCertificates.
    const outer = readTlv(der, 0);
    expect(outer.end).toBe(der.length);
    const [tbs, , sig] = readChildren(der, outer);
    const fields = readChildren(der, tbs);
    expect(fields.map((f) => f.tag)).toEqual([0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0]);
    expect(readChildren(der, fields[5])).toHaveLength(count);
    expect(
      verify('sha256', der.subarray(tbs.offset, tbs.end), { key: publicKey, dsaEncoding: 'der' }, der.subarray(sig.start + 1, sig.end)),
    ).toBe(true);

    const file = writeCrl('large.crl', der);
    const text = crlText(file);
    expect(text.match(/Serial Number:/g)).toHaveLength(count);
  }, 60_000);
});
