import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ExtractLine } from '../common/extract/extract-lines';
import { DEFAULT_ZIP_LIMITS, openExtract, ZipLimits } from '../common/extract/extract-open';
import { copyRow, copyRowClean } from './copy-text';
import { isNationalIdShape } from './identifiers';
import { nameKeys } from './name-key';
import {
  copySql,
  SITUATION_COPY_COLUMNS,
  STAGE_PERSON_COLUMNS,
  STAGE_PROF_COLUMNS,
  STAGE_REJECT_COLUMNS,
  StageTables,
} from './registry-diff.sql';
import { PersonneActiviteRecord, parsePersonneActiviteLine, parseSavoirFaireLine } from './rpps-extract-fields';
import { PersonneActiviteHeader, parseSavoirFaireHeader, readHeader } from './rpps-extract-header';
import { ImportFile } from './rpps-import.entity';
import { addMod48, hashAdd, hashBegin, hashEnd, stableHash } from './stable-hash';

export const MAX_REJECTS_IN_RESULT = 1000;
const MAX_RAW_KEPT = 4000;
const CHUNK_BYTES = 1 << 20;

export interface StagedReject {
  line: number;
  reason: string;
  file?: string;
}

/** What the reading phase found: counts, the first rejects, the people with a rejected line. */
export class LoadCounters {
  rowsRead = 0;
  rowsAccepted = 0;
  rowsRejected = 0;
  bytes = 0;
  firstRejects: StagedReject[] = [];
  /** National identifiers of rejected lines: those people are left as they are. */
  readonly frozen = new Set<string>();
  /** People met in more than one run of adjacent lines (or sharing a hash with one): merged in SQL. */
  readonly maybeDuplicated: string[] = [];

  reject(file: string, line: number, reason: string, nationalId: string | null): void {
    this.rowsRejected += 1;
    if (nationalId) this.frozen.add(nationalId);
    if (this.firstRejects.length < MAX_REJECTS_IN_RESULT) this.firstRejects.push({ line, reason, file });
  }
}

/**
 * A COPY into one table. Rows are encoded straight into 1 MiB buffers (no big strings for
 * the collector to copy), handed to the stream with backpressure.
 */
class CopyWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private ready: Buffer[] = [];
  private readonly out = new PassThrough({ highWaterMark: 4 * CHUNK_BYTES });
  private readonly done: Promise<void>;

  constructor(client: PoolClient, sql: string) {
    const copy = client.query(copyFrom(sql));
    this.done = pipeline(this.out, copy as unknown as Writable);
    this.done.catch(() => undefined);
  }

  add(row: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (this.pos + row.length * 3 > CHUNK_BYTES) {
      this.seal();
      if (row.length * 3 > CHUNK_BYTES) {
        this.ready.push(Buffer.from(row, 'utf8'));
        return;
      }
    }
    this.pos += this.chunk.write(row, this.pos, 'utf8');
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.ready.push(this.chunk.subarray(0, this.pos));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }

  /** Hands the sealed buffers to the stream; waits when PostgreSQL is behind. */
  async maybeFlush(force = false): Promise<void> {
    if (force) this.seal();
    while (this.ready.length) {
      const b = this.ready.shift()!;
      // (the COPY failing, e.g. cancelled at shutdown, ends the wait with its error: no drain will come)
      if (!this.out.write(b)) await Promise.race([new Promise((r) => this.out.once('drain', r)), this.done]);
    }
  }

  async end(): Promise<void> {
    await this.maybeFlush(true);
    this.out.end();
    await this.done;
  }

  async abort(err: Error): Promise<void> {
    this.out.destroy(err);
    await this.done.catch(() => undefined);
  }
}

interface ProfAcc {
  firstLine: number;
  category: string;
  specialtyType: string;
  specialty: string;
}

/** The current run of adjacent lines of one person. */
interface PersonRun {
  first: PersonneActiviteRecord;
  sitSum: number;
  count: number;
  profs: Map<string, ProfAcc>;
}

/**
 * Specialties from the SavoirFaire file, by (national identifier, profession): kept in
 * typed arrays (a national identifier and a profession code make one exact number), so
 * that a national-size file costs a few megabytes and nothing for the collector to walk.
 */
export class Specialties {
  private keys = new Float64Array(1 << 12);
  private values = new Uint16Array(1 << 12);
  private size = 0;
  private readonly pairs: Array<[string, string]> = [];
  private readonly pairIndex = new Map<string, number>();

  /** The number standing for (nationalId, professionCode), or -1 when they are not digits. */
  static keyOf(nationalId: string, professionCode: string): number {
    if (!/^\d{10,12}$/.test(nationalId) || !/^\d{2}$/.test(professionCode)) return -1;
    // 12 digits, a length digit (10 vs 12 digits must not collide) and 2 digits: below 2^53.
    return (Number(nationalId) * 10 + (nationalId.length - 10)) * 100 + Number(professionCode) + 1;
  }

  /** Keeps the first specialty given for a key. */
  setIfAbsent(nationalId: string, professionCode: string, typeCode: string, code: string): void {
    const key = Specialties.keyOf(nationalId, professionCode);
    if (key < 0) return;
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const i = this.slot(key);
    if (this.keys[i] === key) return;
    const pairKey = `${typeCode}|${code}`;
    let v = this.pairIndex.get(pairKey);
    if (v === undefined) {
      v = this.pairs.length;
      if (v >= 0xffff) throw new Error('more than 65535 distinct specialties in the SavoirFaire file');
      this.pairs.push([Buffer.from(typeCode).toString(), Buffer.from(code).toString()]);
      this.pairIndex.set(pairKey, v);
    }
    this.keys[i] = key;
    this.values[i] = v;
    this.size += 1;
  }

  get(nationalId: string, professionCode: string): [string, string] | undefined {
    if (this.size === 0) return undefined;
    const key = Specialties.keyOf(nationalId, professionCode);
    if (key < 0) return undefined;
    const i = this.slot(key);
    return this.keys[i] === key ? this.pairs[this.values[i]] : undefined;
  }

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = (key % 2147483647) & mask;
    while (this.keys[i] !== 0 && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Uint16Array(keys.length * 2);
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      const i = this.slot(keys[j]);
      this.keys[i] = keys[j];
      this.values[i] = values[j];
    }
  }
}

/**
 * Reads the extract files into the staging tables: one row per line, per person and per
 * (person, profession). Streams throughout: memory holds one chunk of lines, the current
 * person, and the SavoirFaire specialties (a small file).
 */
export class ExtractStager {
  constructor(
    private readonly stages: StageTables,
    private readonly load: LoadCounters,
    private readonly onBytes: (bytes: number) => void,
    private readonly zipLimits: ZipLimits = DEFAULT_ZIP_LIMITS,
  ) {}

  /** Reads the SavoirFaire file: specialties kept in memory, rejects staged. */
  async readSavoirFaire(client: PoolClient, path: string): Promise<{ file: ImportFile; specialties: Specialties }> {
    const name = basename(path);
    const specialties = new Specialties();
    const rejects = new CopyWriter(client, copySql(this.stages.rejects, STAGE_REJECT_COLUMNS));
    const file = await this.readFile(
      path,
      'savoir-faire',
      async (header, batches) => {
        const h = parseSavoirFaireHeader(header);
        for await (const batch of batches) {
          for (const line of batch) {
            const r = parseSavoirFaireLine(line.text, line.lineNo, h);
            if (!r.ok) {
              this.load.reject(name, line.lineNo, r.reason, null);
              rejects.add(copyRow([name, line.lineNo, r.reason, keepRaw(line.text)]));
              continue;
            }
            specialties.setIfAbsent(r.record.nationalId, r.record.professionCode, r.record.specialtyTypeCode, r.record.specialtyCode);
          }
          await rejects.maybeFlush();
        }
      },
      rejects,
    );
    await rejects.end();
    return { file, specialties };
  }

  /** Reads the Personne_activite file into the next situations and the person and profession stages. */
  async readPersonneActivite(
    clients: { situations: PoolClient; persons: PoolClient; profs: PoolClient; rejects: PoolClient },
    path: string,
    header: PersonneActiviteHeader,
    specialties: Specialties,
  ): Promise<ImportFile> {
    const name = basename(path);
    const situations = new CopyWriter(clients.situations, copySql(this.stages.situations, SITUATION_COPY_COLUMNS));
    const persons = new CopyWriter(clients.persons, copySql(this.stages.persons, STAGE_PERSON_COLUMNS));
    const profs = new CopyWriter(clients.profs, copySql(this.stages.profs, STAGE_PROF_COLUMNS));
    const rejects = new CopyWriter(clients.rejects, copySql(this.stages.rejects, STAGE_REJECT_COLUMNS));
    const nationalIdIndex = header.columns.nationalId;
    const seen = new HashSet53();
    let run: PersonRun | null = null;

    const flushRun = (r: PersonRun) => {
      const p = r.first;
      let profSum = 0;
      for (const [code, acc] of r.profs) {
        const sf = specialties.get(p.nationalId, code);
        const specialtyType = sf ? sf[0] : acc.specialtyType;
        const specialty = sf ? sf[1] : acc.specialty;
        hashBegin();
        hashAdd(code);
        hashAdd(acc.category);
        hashAdd(specialtyType);
        hashAdd(specialty);
        const h = hashEnd();
        profSum = addMod48(profSum, h);
        profs.add(copyRowClean([p.nationalId, code, acc.firstLine, acc.category, specialtyType, specialty, h % 2 ** 48]));
      }
      if (!seen.add(stableHash(p.nationalId))) this.load.maybeDuplicated.push(p.nationalId);
      const keys = nameKeys(p.lastName, p.firstName);
      persons.add(
        copyRowClean([
          p.nationalId,
          p.lineNo,
          p.idType,
          p.identifier,
          p.civilityPracticeCode,
          p.civilityCode,
          p.lastName,
          p.firstName,
          r.sitSum,
          r.count,
          profSum,
          r.profs.size,
          keys.nameKey,
          keys.nameKeyFirst,
        ]),
      );
    };

    const writers = [situations, persons, profs, rejects];
    const file = await this.readFile(
      path,
      'personne-activite',
      async (_header, batches) => {
        for await (const batch of batches) {
          for (const line of batch) {
            this.load.rowsRead += 1;
            const r = parsePersonneActiviteLine(line.text, line.lineNo, header);
            if (!r.ok) {
              const nid = nationalIdOf(line.text, nationalIdIndex);
              this.load.reject(name, line.lineNo, r.reason, nid);
              rejects.add(copyRow([name, line.lineNo, r.reason, keepRaw(line.text)]));
              continue;
            }
            const x = r.record;
            this.load.rowsAccepted += 1;
            hashBegin();
            hashAdd(x.professionCode);
            hashAdd(x.modeCode);
            hashAdd(x.sectorCode);
            hashAdd(x.siret);
            hashAdd(x.siren);
            hashAdd(x.finessSite);
            hashAdd(x.finessLegal);
            hashAdd(x.structureId);
            hashAdd(x.siteName);
            hashAdd(x.streetNumber);
            hashAdd(x.streetTypeLabel);
            hashAdd(x.streetLabel);
            hashAdd(x.postalCode);
            hashAdd(x.city);
            hashAdd(x.cedex);
            hashAdd(x.registrationAuthority);
            // Not in the hash: the address columns only the letters read (complements, repetition
            // index, distribution mention, country). A change to them alone changes nothing the
            // card carries (cardContent has none of them), so it is no SITUATION_CHANGED (whose
            // consumer may order a new card); and their arrival (migration SituationAddress) must
            // not change the digest of everyone who has one on the first import after it. They
            // still reach rpps_situation on every import, changed or not: the whole table is
            // swapped for these staged lines (swapSituationsSql).
            const sitH = hashEnd();
            situations.add(situationRow(x, sitH));

            if (!run || run.first.nationalId !== x.nationalId) {
              if (run) flushRun(run);
              run = { first: x, sitSum: 0, count: 0, profs: new Map() };
            }
            run.sitSum = addMod48(run.sitSum, sitH);
            run.count += 1;
            const acc = run.profs.get(x.professionCode);
            if (!acc) {
              run.profs.set(x.professionCode, {
                firstLine: x.lineNo,
                category: x.categoryCode,
                specialtyType: x.specialtyTypeCode,
                specialty: x.specialtyCode,
              });
            } else if (!acc.specialty && x.specialtyCode) {
              acc.specialtyType = x.specialtyTypeCode;
              acc.specialty = x.specialtyCode;
            }
          }
          for (const w of writers) await w.maybeFlush();
        }
        if (run) flushRun(run);
      },
      ...writers,
    );
    await Promise.all(writers.map((w) => w.end()));
    return file;
  }

  /** Opens a file, hashes its bytes, reports progress, and hands its data lines to `consume`. */
  private async readFile(
    path: string,
    kind: ImportFile['kind'],
    consume: (header: string, batches: AsyncGenerator<ExtractLine[]>) => Promise<void>,
    ...writers: CopyWriter[]
  ): Promise<ImportFile> {
    const fileHash = createHash('sha256');
    let bytes = 0;
    let reported = 0;
    const opened = await openExtract(path, this.zipLimits);
    const onBytes = this.onBytes;
    const base = this.load.bytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        fileHash.update(chunk);
        if (bytes - reported > 8 << 20) {
          reported = bytes;
          onBytes(base + bytes);
        }
        cb(null, chunk);
      },
    });
    opened.stream.on('error', (e) => counter.destroy(e));
    const start = await readHeader(opened.stream.pipe(counter));
    try {
      await consume(start.header.text, start.batches);
    } catch (e) {
      await Promise.all(writers.map((w) => w.abort(e as Error)));
      await start.close().catch(() => undefined);
      throw e;
    }
    this.load.bytes += bytes;
    onBytes(this.load.bytes);
    return { name: basename(path), kind, sha256: fileHash.digest('hex'), bytes };
  }
}

/**
 * The COPY row of an accepted line, in the order of SITUATION_COPY_COLUMNS; its fields hold no
 * control character, only a backslash may need escaping.
 */
function situationRow(x: PersonneActiviteRecord, sitH: number): string {
  if (x.raw.indexOf('\\') !== -1) {
    return copyRow([
      x.nationalId,
      x.lineNo,
      x.professionCode,
      String(sitH),
      x.modeCode,
      x.sectorCode,
      x.siret,
      x.siren,
      x.finessSite,
      x.finessLegal,
      x.structureId,
      x.siteName,
      x.streetNumber,
      x.streetTypeLabel,
      x.streetLabel,
      x.postalCode,
      x.city,
      x.cedex,
      x.registrationAuthority,
      x.recipientComplement,
      x.geoComplement,
      x.repetitionIndex,
      x.distributionMention,
      x.countryCode,
      x.countryLabel,
      x.raw,
    ]);
  }
  return `${x.nationalId}\t${x.lineNo}\t${x.professionCode}\t${sitH}\t${x.modeCode}\t${x.sectorCode}\t${x.siret}\t${x.siren}\t${
    x.finessSite
  }\t${x.finessLegal}\t${x.structureId}\t${x.siteName}\t${x.streetNumber}\t${x.streetTypeLabel}\t${
    x.streetLabel
  }\t${x.postalCode}\t${x.city}\t${x.cedex}\t${x.registrationAuthority}\t${x.recipientComplement}\t${x.geoComplement}\t${
    x.repetitionIndex
  }\t${x.distributionMention}\t${x.countryCode}\t${x.countryLabel}\t${x.raw}\n`;
}

/**
 * A set of 53-bit hashes (open addressing in a Float64Array): remembers every person
 * met, in a few bytes each, to spot people whose lines are not adjacent. A false
 * "seen" only costs an exact check in SQL.
 */
export class HashSet53 {
  private table = new Float64Array(1 << 16);
  private size = 0;

  /** Adds h (>= 0); false when it was there already. */
  add(h: number): boolean {
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    const key = h + 1; // 0 marks an empty slot
    const mask = this.table.length - 1;
    let i = (h % 4294967296) & mask;
    for (;;) {
      const v = this.table[i];
      if (v === 0) {
        this.table[i] = key;
        this.size += 1;
        return true;
      }
      if (v === key) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.size = 0;
    for (const v of old) if (v !== 0) this.add(v - 1);
  }
}

/** The national identifier of a rejected line, when it is well formed (so the person is left untouched). */
export function nationalIdOf(text: string, index: number): string | null {
  let start = 0;
  for (let i = 0; i < index; i++) {
    start = text.indexOf('|', start) + 1;
    if (start === 0) return null;
  }
  const end = text.indexOf('|', start);
  const v = (end < 0 ? text.slice(start) : text.slice(start, end)).trim();
  return isNationalIdShape(v) ? v : null;
}

function keepRaw(text: string): string {
  return text.length > MAX_RAW_KEPT ? `${text.slice(0, MAX_RAW_KEPT)}… [${text.length} characters]` : text;
}
