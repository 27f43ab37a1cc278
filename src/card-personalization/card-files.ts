/**
 * The contents of a profile's files: what is written from the card data (the TLV bytes
 * and the whole-file image that must read back), and the decoding of bytes read back
 * into named fields.
 *
 * Pure code: no framework, no database.
 */
import { createHash } from 'node:crypto';
import { decodeTlvs, encodeTag, encodeTlvs, hex, Tlv, TlvInput } from './ber-tlv';
import { CardPersonalizationError, MalformedDataError } from './card-personalization.errors';
import type { CardData, CardProfile, ElementaryFileSpec, FieldSpec, HolderSource, SituationSource } from './card-profile';
import { decodeValue, encodeValue } from './card-text';

export interface EncodedCardFiles {
  /** The exact TLV bytes written to each EF from offset 0, by file name. */
  written: Record<string, Buffer>;
  /** Each EF as it must read back: the TLV bytes, then 00 up to the file size. */
  images: Record<string, Buffer>;
  /** Situations written, and how many the content held (more than the profile's maximum: a subset). */
  situationsWritten: number;
  situationsTotal: number;
}

type Situation = Record<string, string | null | undefined>;

const HOLDER: Record<HolderSource, (d: CardData) => string | null | undefined> = {
  'card.cardType': (d) => d.card.cardType,
  'card.generation': (d) => d.card.generation,
  'card.number': (d) => d.card.number,
  'card.validFrom': (d) => d.card.validFrom,
  'card.validUntil': (d) => d.card.validUntil,
  'content.nationalIdType': (d) => d.content.nationalId?.slice(0, 1),
  'content.nationalId': (d) => d.content.nationalId,
  'content.civilityPracticeCode': (d) => d.content.civilityPracticeCode,
  'content.lastName': (d) => d.content.lastName,
  'content.firstName': (d) => d.content.firstName,
  'content.professionCode': (d) => d.content.professionCode,
  'content.categoryCode': (d) => d.content.categoryCode,
  'content.specialtyTypeCode': (d) => d.content.specialtyTypeCode,
  'content.specialtyCode': (d) => d.content.specialtyCode,
};

function structureOf(profile: CardProfile, s: Situation): { type: string; id: string } {
  const raw = s.structureId ?? '';
  for (const rule of profile.structureIdentifiers) {
    if (raw.length > rule.prefix.length && raw.startsWith(rule.prefix)) return { type: rule.type, id: raw.slice(rule.prefix.length) };
  }
  return { type: '', id: raw };
}

function situationValue(profile: CardProfile, source: SituationSource, s: Situation, index: number): string | number | null | undefined {
  switch (source) {
    case 'situation.number':
      return index + 1;
    case 'situation.structureIdType':
      return structureOf(profile, s).type;
    case 'situation.structureId':
      return structureOf(profile, s).id;
    default:
      return s[source.slice('situation.'.length)];
  }
}

function fieldTlv<S extends string>(
  field: FieldSpec<S>,
  where: string,
  resolve: (source: S) => string | number | null | undefined,
): TlvInput {
  const raw = typeof field.source === 'object' ? field.source.constant : resolve(field.source);
  const value = raw ?? '';
  const label = `${where}.${field.name}`;
  if (value === '' && !field.optional) throw unusable(`field "${label}" is empty and the profile requires it`, label);
  if (value !== '' && field.pattern && !field.pattern.test(String(value))) {
    // The value itself is personal data: it is not repeated in the message (logs, the fleet's last error).
    throw unusable(`field "${label}" does not have the form the profile expects (${field.pattern})`, label);
  }
  return { tag: field.tag, value: value === '' ? Buffer.alloc(0) : encodeValue(label, field.format, value) };
}

/** The TLV bytes and images of every EF of the profile for one card. */
export function encodeCardFiles(profile: CardProfile, data: CardData): EncodedCardFiles {
  const written: Record<string, Buffer> = {};
  const situations: Situation[] = data.content.situations ?? [];
  let situationsWritten = 0;
  for (const file of profile.files) {
    const c = file.content;
    if (c.kind === 'fields') {
      written[file.name] = encodeTlvs(c.fields.map((f) => fieldTlv(f, file.name, (source) => HOLDER[source](data))));
    } else if (c.kind === 'records') {
      const kept = situations.slice(0, c.maxRecords);
      situationsWritten = kept.length;
      written[file.name] = encodeTlvs(
        kept.map((s, i) => ({
          tag: c.recordTag,
          children: c.fields.map((f) => fieldTlv(f, `${file.name}[${i + 1}]`, (source) => situationValue(profile, source, s, i))),
        })),
      );
    }
  }
  for (const file of profile.files) {
    const c = file.content;
    if (c.kind === 'seal') written[file.name] = seal(c.over.map((name) => requireWritten(written, name, file.name)));
  }
  const images: Record<string, Buffer> = {};
  for (const file of profile.files) {
    const bytes = written[file.name];
    if (bytes.length > file.size) {
      throw unusable(`${file.name} needs ${bytes.length} bytes, the file holds ${file.size}`, file.name);
    }
    images[file.name] = Buffer.concat([bytes, Buffer.alloc(file.size - bytes.length)]);
  }
  return { written, images, situationsWritten, situationsTotal: situations.length };
}

function requireWritten(written: Record<string, Buffer>, name: string, by: string): Buffer {
  const bytes = written[name];
  if (!bytes) throw new Error(`profile: ${by} seals ${name}, which is not a TLV file of the profile`);
  return bytes;
}

function seal(parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest();
}

export type DecodedValue = string | number;

export type DecodedFile =
  | { kind: 'fields'; fields: Record<string, DecodedValue>; unknownTags: string[] }
  | { kind: 'records'; records: Array<Record<string, DecodedValue>>; unknownTags: string[] }
  | { kind: 'seal'; seal: string; matches: boolean };

/**
 * Decodes files read back from a card (each from offset 0, any length up to the file
 * size): TLVs up to the first tag 00, each known tag's value by its field's format.
 * The seal is compared with the SHA-256 of the TLV bytes of the files it covers.
 */
export function decodeCardFiles(profile: CardProfile, files: Record<string, Buffer>): Record<string, DecodedFile> {
  const out: Record<string, DecodedFile> = {};
  const tlvBytes: Record<string, Buffer> = {};
  for (const file of profile.files) {
    const bytes = files[file.name];
    if (!bytes) continue;
    const c = file.content;
    if (c.kind === 'seal') continue;
    const decoded = decodeTlvs(bytes, { stopAtZeroTag: true });
    tlvBytes[file.name] = bytes.subarray(0, decoded.length);
    if (c.kind === 'fields') {
      out[file.name] = { kind: 'fields', ...decodeFields(c.fields, decoded.tlvs, file.name) };
    } else {
      const unknownTags: string[] = [];
      const records: Array<Record<string, DecodedValue>> = [];
      for (const tlv of decoded.tlvs) {
        if (tlv.tag !== c.recordTag || !tlv.children) {
          unknownTags.push(tagHex(tlv));
          continue;
        }
        const r = decodeFields(c.fields, tlv.children, `${file.name}[${records.length + 1}]`);
        unknownTags.push(...r.unknownTags);
        records.push(r.fields);
      }
      out[file.name] = { kind: 'records', records, unknownTags };
    }
  }
  for (const file of profile.files) {
    const c = file.content;
    const bytes = files[file.name];
    if (c.kind !== 'seal' || !bytes) continue;
    const covered = c.over.map((name) => tlvBytes[name]);
    const matches = covered.every(Boolean) && seal(covered).equals(bytes.subarray(0, 32));
    out[file.name] = { kind: 'seal', seal: hex(bytes), matches };
  }
  return out;
}

function decodeFields(
  fields: FieldSpec<string>[],
  tlvs: Tlv[],
  where: string,
): { fields: Record<string, DecodedValue>; unknownTags: string[] } {
  const values: Record<string, DecodedValue> = {};
  const unknownTags: string[] = [];
  for (const tlv of tlvs) {
    const field = fields.find((f) => f.tag === tlv.tag);
    if (!field) {
      unknownTags.push(tagHex(tlv));
      continue;
    }
    const label = `${where}.${field.name}`;
    if (field.name in values) throw new MalformedDataError(`${label}: tag ${tagHex(tlv)} appears twice`);
    values[field.name] = tlv.value.length === 0 ? '' : decodeValue(label, field.format, tlv.value);
  }
  return { fields: values, unknownTags };
}

function tagHex(tlv: Tlv): string {
  return hex(encodeTag(tlv.tag));
}

/** The EF of the profile with that name. */
export function fileSpec(profile: CardProfile, name: string): ElementaryFileSpec {
  const spec = profile.files.find((f) => f.name === name);
  if (!spec) throw new Error(`profile ${profile.id} has no file ${name}`);
  return spec;
}

function unusable(message: string, field: string): CardPersonalizationError {
  return new CardPersonalizationError('unusable_card_data', message, 422, { field });
}
