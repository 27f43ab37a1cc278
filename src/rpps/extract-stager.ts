import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyRow } from './copy-text';
import {
  ExtractLine,
  openExtract,
  parsePersonneActiviteLine,
  parseSavoirFaireHeader,
  parseSavoirFaireLine,
  PersonneActiviteHeader,
  PersonneActiviteRecord,
  readHeader,
} from './extract-reader';
import {
  copySql,
  STAGE_LINE_COLUMNS,
  STAGE_PERSON_COLUMNS,
  STAGE_PROF_COLUMNS,
  STAGE_SF_COLUMNS,
  StageTables,
} from './registry-diff.sql';
import { ImportFile } from './rpps-import.entity';
import { addMod48, hashAdd, hashBegin, hashEnd, stableHash } from './stable-hash';

export const MAX_REJECTS_IN_RESULT = 1000;
const MAX_RAW_KEPT = 4000;
const FLUSH_CHARS = 1 << 20;

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

  reject(file: string, line: number, reason: string, nationalId: string | null): void {
    this.rowsRejected += 1;
    if (nationalId) this.frozen.add(nationalId);
    if (this.firstRejects.length < MAX_REJECTS_IN_RESULT) this.firstRejects.push({ line, reason, file });
  }
}

/** A COPY into one staging table, written in large chunks with backpressure. */
class CopyWriter {
  private buf = '';
  private readonly out = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly done: Promise<void>;

  constructor(client: PoolClient, sql: string) {
    const copy = client.query(copyFrom(sql));
    this.done = pipeline(this.out, copy as unknown as Writable);
    this.done.catch(() => undefined);
  }

  add(row: string): void {
    this.buf += row;
  }

  /** Hands the buffered rows to the stream when enough are there; waits if PostgreSQL is behind. */
  async maybeFlush(force = false): Promise<void> {
    if (!this.buf || (!force && this.buf.length < FLUSH_CHARS)) return;
    const chunk = this.buf;
    this.buf = '';
    if (!this.out.write(chunk)) await new Promise((r) => this.out.once('drain', r));
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
  lineSum: number;
  count: number;
  profs: Map<string, ProfAcc>;
}

type Specialties = Map<string, [string, string]>;

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
  ) {}

  /** Reads the SavoirFaire file: specialties kept in memory, rejects staged. */
  async readSavoirFaire(client: PoolClient, path: string): Promise<{ file: ImportFile; specialties: Specialties }> {
    const name = basename(path);
    const specialties: Specialties = new Map();
    const rejects = new CopyWriter(client, copySql(this.stages.sf, STAGE_SF_COLUMNS));
    const file = await this.readFile(path, 'savoir-faire', async (header, batches) => {
      const h = parseSavoirFaireHeader(header);
      for await (const batch of batches) {
        for (const line of batch) {
          const r = parseSavoirFaireLine(line.text, line.lineNo, h);
          if (!r.ok) {
            this.load.reject(name, line.lineNo, r.reason, null);
            rejects.add(copyRow([line.lineNo, r.reason, keepRaw(line.text)]));
            continue;
          }
          const key = `${r.record.nationalId}|${r.record.professionCode}`;
          if (!specialties.has(key)) specialties.set(key, [r.record.specialtyTypeCode, r.record.specialtyCode]);
        }
        await rejects.maybeFlush();
      }
    }, rejects);
    await rejects.end();
    return { file, specialties };
  }

  /** Reads the Personne_activite file into the line, person and profession stages. */
  async readPersonneActivite(
    clients: { lines: PoolClient; persons: PoolClient; profs: PoolClient },
    path: string,
    header: PersonneActiviteHeader,
    specialties: Specialties,
  ): Promise<ImportFile> {
    const name = basename(path);
    const lines = new CopyWriter(clients.lines, copySql(this.stages.lines, STAGE_LINE_COLUMNS));
    const persons = new CopyWriter(clients.persons, copySql(this.stages.persons, STAGE_PERSON_COLUMNS));
    const profs = new CopyWriter(clients.profs, copySql(this.stages.profs, STAGE_PROF_COLUMNS));
    const nationalIdIndex = header.columns.nationalId;
    let run: PersonRun | null = null;

    const flushRun = (r: PersonRun) => {
      const p = r.first;
      let profSum = 0;
      for (const [code, acc] of r.profs) {
        const sf = specialties.get(`${p.nationalId}|${code}`);
        const specialtyType = sf ? sf[0] : acc.specialtyType;
        const specialty = sf ? sf[1] : acc.specialty;
        hashBegin();
        hashAdd(code);
        hashAdd(acc.category);
        hashAdd(specialtyType);
        hashAdd(specialty);
        const h = hashEnd();
        profSum = addMod48(profSum, h);
        profs.add(copyRow([p.nationalId, code, acc.firstLine, acc.category, specialtyType, specialty, h % 2 ** 48]));
      }
      persons.add(
        copyRow([p.nationalId, p.lineNo, p.idType, p.identifier, p.civilityPracticeCode, p.civilityCode, p.lastName,
          p.firstName, r.sitSum, r.lineSum, r.count, profSum, r.profs.size]),
      );
    };

    const writers = [lines, persons, profs];
    const file = await this.readFile(path, 'personne-activite', async (_header, batches) => {
      for await (const batch of batches) {
        for (const line of batch) {
          this.load.rowsRead += 1;
          const r = parsePersonneActiviteLine(line.text, line.lineNo, header);
          if (!r.ok) {
            const nid = nationalIdOf(line.text, nationalIdIndex);
            this.load.reject(name, line.lineNo, r.reason, nid);
            const row: Array<string | number | null> = new Array(STAGE_LINE_COLUMNS.length).fill(null);
            row[0] = line.lineNo;
            row[1] = r.reason;
            row[2] = nid;
            row[STAGE_LINE_COLUMNS.length - 1] = keepRaw(line.text);
            lines.add(copyRow(row));
            continue;
          }
          const x = r.record;
          this.load.rowsAccepted += 1;
          hashBegin();
          hashAdd(x.professionCode); hashAdd(x.modeCode); hashAdd(x.sectorCode); hashAdd(x.siret); hashAdd(x.siren);
          hashAdd(x.finessSite); hashAdd(x.finessLegal); hashAdd(x.structureId); hashAdd(x.siteName);
          hashAdd(x.streetNumber); hashAdd(x.streetTypeLabel); hashAdd(x.streetLabel); hashAdd(x.postalCode);
          hashAdd(x.city); hashAdd(x.cedex); hashAdd(x.registrationAuthority);
          const sitH = hashEnd();
          lines.add(lineRow(x, sitH));

          if (!run || run.first.nationalId !== x.nationalId) {
            if (run) flushRun(run);
            run = { first: x, sitSum: 0, lineSum: 0, count: 0, profs: new Map() };
          }
          run.sitSum = addMod48(run.sitSum, sitH);
          run.lineSum = addMod48(run.lineSum, stableHash(x.raw));
          run.count += 1;
          const acc = run.profs.get(x.professionCode);
          if (!acc) {
            run.profs.set(x.professionCode, {
              firstLine: x.lineNo, category: x.categoryCode, specialtyType: x.specialtyTypeCode, specialty: x.specialtyCode,
            });
          } else if (!acc.specialty && x.specialtyCode) {
            acc.specialtyType = x.specialtyTypeCode;
            acc.specialty = x.specialtyCode;
          }
        }
        for (const w of writers) await w.maybeFlush();
      }
      if (run) flushRun(run);
    }, ...writers);
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
    const opened = await openExtract(path);
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

/** The COPY row of an accepted line; its fields hold no control character, only a backslash may need escaping. */
function lineRow(x: PersonneActiviteRecord, sitH: number): string {
  if (x.raw.indexOf('\\') !== -1) {
    return copyRow([x.lineNo, null, x.nationalId, x.professionCode, x.modeCode, x.sectorCode, x.siret, x.siren,
      x.finessSite, x.finessLegal, x.structureId, x.siteName, x.streetNumber, x.streetTypeLabel, x.streetLabel,
      x.postalCode, x.city, x.cedex, x.registrationAuthority, sitH, x.raw]);
  }
  return `${x.lineNo}\t\\N\t${x.nationalId}\t${x.professionCode}\t${x.modeCode}\t${x.sectorCode}\t${x.siret}\t${x.siren}\t${
    x.finessSite}\t${x.finessLegal}\t${x.structureId}\t${x.siteName}\t${x.streetNumber}\t${x.streetTypeLabel}\t${
    x.streetLabel}\t${x.postalCode}\t${x.city}\t${x.cedex}\t${x.registrationAuthority}\t${sitH}\t${x.raw}\n`;
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
  return /^(8\d{11}|0\d{9})$/.test(v) ? v : null;
}

function keepRaw(text: string): string {
  return text.length > MAX_RAW_KEPT ? `${text.slice(0, MAX_RAW_KEPT)}… [${text.length} characters]` : text;
}

