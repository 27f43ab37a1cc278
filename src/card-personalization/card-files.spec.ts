import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sampleCardData } from './card-data.fixture';
import { decodeCardFiles, encodeCardFiles } from './card-files';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';

/** Tag and length bytes written by hand, then the value: independent of the encoder. */
const t = (tagAndLength: string, value: string | Buffer = '') =>
  Buffer.concat([Buffer.from(tagAndLength.replace(/\s+/g, ''), 'hex'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8')]);

describe('card files (CPX-ISO v1)', () => {
  it('writes EF.ID field by field, in the profile order, from the card and the order content', () => {
    const files = encodeCardFiles(CPX_ISO_V1, sampleCardData());
    const expected = Buffer.concat([
      t('80 01 01'),
      t('81 03', 'CPS'),
      t('82 04', 'CPS4'),
      t('83 0A', '2900001260'),
      t('84 01', '8'),
      t('85 0C', '810000000355'),
      t('86 02', 'DR'),
      t('87 08', 'LEFÈVRE'),
      t('88 05', 'MARIE'),
      t('89 02', '10'),
      t('8A 01', 'C'),
      t('8B 01', 'S'),
      t('8C 04', 'SM54'),
      t('8D 08', '20261130'),
      t('8E 08', '20321129'),
    ]);
    expect(files.written['EF.ID']).toEqual(expected);
    expect(files.images['EF.ID'].length).toBe(512);
    expect(files.images['EF.ID'].subarray(expected.length).every((b) => b === 0)).toBe(true);
  });

  it('writes empty optional fields with length 0, keeping the order of tags', () => {
    const files = encodeCardFiles(CPX_ISO_V1, sampleCardData({ civilityPracticeCode: '', specialtyTypeCode: '', specialtyCode: '' }));
    const id = files.written['EF.ID'].toString('latin1');
    expect(id).toContain('\x86\x00\x87');
    expect(id).toContain('\x8b\x00\x8c\x00\x8d');
  });

  it('refuses an empty required field or a value the profile does not allow, naming it', () => {
    expect(() => encodeCardFiles(CPX_ISO_V1, sampleCardData({ lastName: '' }))).toThrow(/field "EF.ID.lastName" is empty/);
    const data = sampleCardData();
    data.card.cardType = 'XYZ';
    expect(() => encodeCardFiles(CPX_ISO_V1, data)).toThrow(/field "EF.ID.cardType" does not have the form the profile expects/);
    // the value is personal data in general: it is not repeated in the message
    expect(() => encodeCardFiles(CPX_ISO_V1, data)).not.toThrow(/XYZ/);
  });

  it('writes one A0 record per situation, the structure type taken from the structure identifier', () => {
    const files = encodeCardFiles(CPX_ISO_V1, sampleCardData());
    const first = Buffer.concat([
      t('80 01 01'),
      t('81 01', 'L'),
      t('82 04', 'SA08'),
      t('83 01', '5'),
      t('84 0E', '30000000079198'),
      t('85 0E', 'CABINET MICHEL'),
      t('86 05', '75011'),
      t('87 18', 'PARIS 11E ARRONDISSEMENT'),
    ]);
    expect(files.written['EF.SIT'].subarray(0, 2 + first.length)).toEqual(Buffer.concat([t(`A0 ${first.length.toString(16)}`), first]));
    const decoded = decodeCardFiles(CPX_ISO_V1, files.images)['EF.SIT'];
    expect(decoded).toMatchObject({ kind: 'records', unknownTags: [] });
    if (decoded.kind !== 'records') throw new Error('records expected');
    expect(decoded.records[1]).toMatchObject({
      number: 2,
      structureIdType: '3',
      structureId: '758503239',
      siteName: 'CENTRE DE SANTÉ PARIS',
    });
  });

  it('keeps the first 8 situations and says the card holds a subset', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ ...sampleCardData().content.situations[0], siteName: `SITE ${i + 1}` }));
    const files = encodeCardFiles(CPX_ISO_V1, sampleCardData({ situations: many }));
    expect([files.situationsWritten, files.situationsTotal]).toEqual([8, 11]);
    const decoded = decodeCardFiles(CPX_ISO_V1, files.images)['EF.SIT'];
    expect(decoded.kind === 'records' && decoded.records.map((r) => r.siteName)).toEqual(many.slice(0, 8).map((s) => s.siteName));
  });

  it('cuts the site name and the town at 64 bytes on a character boundary', () => {
    const long = `CENTRE HOSPITALIER RÉGIONAL UNIVERSITAIRE DE POINTE-À-PITRE ET ABYMES`;
    const files = encodeCardFiles(
      CPX_ISO_V1,
      sampleCardData({ situations: [{ ...sampleCardData().content.situations[0], siteName: long }] }),
    );
    const decoded = decodeCardFiles(CPX_ISO_V1, files.images)['EF.SIT'];
    const name = decoded.kind === 'records' ? String(decoded.records[0].siteName) : '';
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(64);
    expect(long.startsWith(name)).toBe(true);
    expect(Buffer.byteLength(name)).toBeGreaterThan(60);
  });

  it('seals the exact TLV bytes of EF.ID then EF.SIT with SHA-256', () => {
    const files = encodeCardFiles(CPX_ISO_V1, sampleCardData());
    const expected = createHash('sha256').update(files.written['EF.ID']).update(files.written['EF.SIT']).digest();
    expect(files.written['EF.SEAL']).toEqual(expected);
    const decoded = decodeCardFiles(CPX_ISO_V1, files.images);
    expect(decoded['EF.SEAL']).toEqual({ kind: 'seal', seal: expected.toString('hex').toUpperCase(), matches: true });
    const tampered = Buffer.from(files.images['EF.ID']);
    tampered[10] ^= 1;
    expect(decodeCardFiles(CPX_ISO_V1, { ...files.images, 'EF.ID': tampered })['EF.SEAL']).toMatchObject({ matches: false });
  });

  it('decodes what it writes, for any names and sites', () => {
    const text = fc.string({ unit: fc.constantFrom('A', 'é', 'Ç', '中', '😀', ' ', '-'), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, (lastName, firstName, siteName) => {
        const data = sampleCardData({ lastName, firstName });
        data.content.situations[0].siteName = siteName;
        const decoded = decodeCardFiles(CPX_ISO_V1, encodeCardFiles(CPX_ISO_V1, data).images);
        expect(decoded['EF.ID']).toMatchObject({
          kind: 'fields',
          fields: { lastName, firstName, validUntil: '2032-11-29', profileVersion: 1 },
        });
        expect(decoded['EF.SEAL']).toMatchObject({ matches: true });
      }),
      { numRuns: 50 },
    );
  });
});
