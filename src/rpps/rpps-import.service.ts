import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { allowLongStatements } from '../common/database/data-source.factory';
import { rowsReturned } from '../common/database/returning';
import { ExtractFormatError } from '../common/extract/extract.errors';
import { openExtract, ZipLimits } from '../common/extract/extract-open';
import { jobErrorMessage } from '../common/jobs/jobs.errors';
import { JobsService } from '../common/jobs/jobs.service';
import { massChange, massChangeConfirmed } from '../common/jobs/mass-change';
import { OutboxService } from '../common/outbox/outbox.service';
import { CorrespondenceFile, readCorrespondenceFile } from './correspondence';
import { extractDate } from './extract-date';
import { ExtractStager, LoadCounters, Specialties, StagedReject } from './extract-stager';
import { readPreview, refuseChangedFiles, stillHeld } from './held-imports';
import {
  applySql,
  baselineSql,
  COUNT_EVENTS_SQL,
  compareSql,
  createStageSql,
  indexStageSql,
  insertEventsSql,
  LEFTOVER_TABLES_SQL,
  migrationSql,
  prepareSql,
  StageTables,
  sizesSql,
  stageNames,
  swapSituationsSql,
} from './registry-diff.sql';
import { EventCounts, REGISTRY_EVENT_KINDS, REGISTRY_EVENT_TOPIC, zeroCounts } from './registry-events';
import { RppsError, unusableInput } from './rpps.errors';
import {
  ExtractStart,
  PersonneActiviteHeader,
  parsePersonneActiviteHeader,
  parseSavoirFaireHeader,
  readHeader,
  SavoirFaireHeader,
} from './rpps-extract-header';
import { ImportFile, ImportPreview, ImportStatus } from './rpps-import.entity';

export interface ImportOptions {
  /** The Personne_activite extract and, for the 56-column layout, its SavoirFaire file (.txt or .zip). */
  files: string[];
  /** Date of the extract (default: the stamp in the file name; never today's clock, never after today). */
  asOf?: string;
  /** Applies a mass change: given at the host (the CLI's --confirm-mass-change). */
  confirmMassChange?: boolean;
  /** Applies a held import that `by` (not its submitter) confirmed over the API: its files must not have changed. */
  confirms?: { importId: string; by: string };
  /** The principal that submitted the import over the API (null or absent: at the host). */
  submittedByPrincipal?: string | null;
  /** ADELI → RPPS correspondence file (`adeli;rpps` lines); authoritative. */
  correspondence?: string;
  actor: string;
  /** An existing job run to report on (worker); otherwise one is created. */
  jobRunId?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  phase: 'reading' | 'comparing' | 'applying' | 'done';
  done: number;
  total: number;
  rowsRead: number;
  rowsRejected: number;
}

export type ImportReject = StagedReject;

export interface ImportResult {
  importId: string;
  status: Exclude<ImportStatus, 'running' | 'failed'>;
  layout: string;
  asOf: string;
  /** True when the date was given (--as-of, asOf), false when read from the file name. */
  asOfGiven: boolean;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejects: ImportReject[];
  events: EventCounts;
  professionals: { before: number; after: number };
  migrationCandidates: number;
  /** Held: why, and how to confirm it (the route for a queued import, the command at the host for one run in the foreground). */
  heldReason?: string;
  confirmWith?: string;
  /** Applied past RPPS_MASS_CHANGE_RATIO: who confirmed it, where (the audit entry says the same). */
  massChangeConfirmed?: string;
  /** Held imports: what applying would do. */
  preview?: ImportPreview;
  jobRunId: string;
  seconds: number;
  /** Where the time went: reading the files (parse and COPY), then the one transaction. */
  phaseSeconds: { reading: number; comparingAndApplying: number };
}

/** Held by the running import for its whole length (session lock: freed if the process dies). */
export const IMPORT_LOCK = 7_264_010;

interface ClassifiedFiles {
  /** `entryName`: the name of the text data (the `.txt`, or the entry inside a `.zip`). */
  main: { path: string; entryName: string; header: PersonneActiviteHeader };
  savoirFaire?: { path: string; header: SavoirFaireHeader };
}

/**
 * The registry import: reads the extract as a stream, COPYs it into staging tables,
 * compares it with the current registry in SQL and applies the difference, with the
 * registry events and their outbox rows, in one transaction.
 */
@Injectable()
export class RppsImportService {
  private readonly logger = new Logger(RppsImportService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
  ) {}

  async run(o: ImportOptions): Promise<ImportResult> {
    const started = Date.now();
    const zipLimits: ZipLimits = { maxBytes: this.cfg.IMPORT_ZIP_MAX_BYTES, maxRatio: this.cfg.IMPORT_ZIP_MAX_RATIO };
    const files = await this.classify(o.files, zipLimits);
    const { asOf, asOfGiven, dateFromCallerOnly } = extractDate({
      asOf: o.asOf,
      mainPath: files.main.path,
      entryName: files.main.entryName,
      today: this.clock.today(),
      what: '--as-of',
    });
    const correspondence = o.correspondence ? await this.readCorrespondence(o.correspondence) : [];

    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const restoreTimeout = await allowLongStatements(qr);
    // If this process dies, PostgreSQL notices within a second and frees the import lock.
    await qr.query(`SET client_connection_check_interval = '1s'`);
    // Index builds over millions of rows sort in memory rather than on disk.
    await qr.query(`SET maintenance_work_mem = '512MB'`);
    let locked = false;
    let importId: string | null = null;
    let jobRunId = o.jobRunId ?? null;
    let stages: StageTables | null = null;
    try {
      const [{ ok }] = await qr.query('SELECT pg_try_advisory_lock($1) AS ok', [IMPORT_LOCK]);
      if (!ok) {
        const running: Array<{ id: string; started_at: Date }> = await qr.query(
          `SELECT id, started_at FROM rpps_import WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
        );
        const since = running[0] ? ` (import ${running[0].id}, started ${running[0].started_at.toISOString()})` : '';
        throw new RppsError('import_in_progress', `another registry import is running${since}; try again when it ends`, 409);
      }
      locked = true;
      await this.cleanUpInterrupted(qr);
      await this.refuseOlderThanRegistry(qr, asOf);
      const held = o.confirms ? await stillHeld(qr, o.confirms.importId) : null;

      if (!jobRunId) {
        jobRunId = await this.jobs.create('rpps-import', o.actor, { files: o.files.map((f) => basename(f)), asOf, asOfGiven });
      } else {
        await this.jobs.start(jobRunId);
      }
      const reporter = this.jobs.reporter(jobRunId);
      const progress = (p: ImportProgress) => {
        reporter.progress(p.done, p.total, p.phase);
        o.onProgress?.(p);
      };

      const fileInfos: ImportFile[] = [];
      const [row] = await qr.query(
        `INSERT INTO rpps_import (job_run_id, status, layout, as_of, confirm_mass_change, actor, files, submitted_by_principal,
                                  confirms_import_id)
         VALUES ($1, 'running', $2, $3, $4, $5, '[]', $6, $7) RETURNING id`,
        [
          jobRunId,
          files.main.header.layout,
          asOf,
          !!o.confirmMassChange || !!o.confirms,
          o.actor,
          o.submittedByPrincipal ?? null,
          held?.id ?? null,
        ],
      );
      importId = row.id as string;
      stages = stageNames(importId);
      for (const sql of createStageSql(stages)) await qr.query(sql);

      // 1. Load: stream, parse, COPY into the stages (three connections, one per stage).
      const totalBytes = (await stat(files.main.path)).size + (files.savoirFaire ? (await stat(files.savoirFaire.path)).size : 0);
      const load = new LoadCounters();
      const emit = (phase: ImportProgress['phase'], done: number, total: number) =>
        progress({ phase, done, total, rowsRead: load.rowsRead, rowsRejected: load.rowsRejected });
      const stager = new ExtractStager(stages, load, (b) => emit('reading', b, totalBytes), zipLimits);
      const extra = [this.ds.createQueryRunner(), this.ds.createQueryRunner(), this.ds.createQueryRunner()];
      try {
        await Promise.all(extra.map((x) => x.connect()));
        await Promise.all(extra.map((x) => x.query(`SET client_connection_check_interval = '1s'`)));
        await Promise.all(extra.map((x) => allowLongStatements(x)));
        const pg = (x: QueryRunner) => (x as unknown as { databaseConnection: PoolClient }).databaseConnection;
        let specialties = new Specialties();
        if (files.savoirFaire) {
          const sf = await stager.readSavoirFaire(pg(qr), files.savoirFaire.path);
          fileInfos.push(sf.file);
          specialties = sf.specialties;
        }
        fileInfos.push(
          await stager.readPersonneActivite(
            { situations: pg(qr), persons: pg(extra[0]), profs: pg(extra[1]), rejects: pg(extra[2]) },
            files.main.path,
            files.main.header,
            specialties,
          ),
        );
      } catch (e) {
        // Found while streaming (a zip past its limits, a line too long): unusable input, nothing committed.
        if (e instanceof ExtractFormatError) throw unusableInput(e.message);
        throw e;
      } finally {
        await Promise.all(extra.map((x) => x.query('RESET statement_timeout').catch(() => undefined)));
        await Promise.all(extra.map((x) => x.release()));
      }
      if (o.correspondence) {
        fileInfos.push({
          name: basename(o.correspondence),
          kind: 'correspondence',
          sha256: await sha256File(o.correspondence),
          bytes: (await stat(o.correspondence)).size,
        });
      }
      if (held) refuseChangedFiles(held, fileInfos);
      if (load.rowsAccepted === 0) {
        throw unusableInput(`"${basename(files.main.path)}" has no usable line (${load.rowsRejected} rejected): nothing imported`);
      }

      // 2. Compare and apply, in one transaction.
      const readSeconds = (Date.now() - started) / 1000;
      emit('comparing', 0, 1);
      const result = await this.compareAndApply(qr, {
        importId,
        jobRunId,
        stages,
        asOf,
        asOfGiven,
        dateFromCallerOnly,
        load,
        fileInfos,
        correspondence,
        confirm: !!o.confirmMassChange || !!o.confirms,
        confirmation: o.confirms
          ? { where: 'api', by: o.confirms.by, heldId: o.confirms.importId }
          : o.confirmMassChange
            ? { where: 'host', by: o.actor }
            : undefined,
        // A queued import (API, --enqueue) is confirmed over the API; one run in the foreground, at the host.
        // File names only: the result is kept (job run, import), and a reader of them sees no host directory.
        confirmWith: o.jobRunId
          ? `POST /api/v1/imports/${importId}/confirm`
          : `rpps:import ${o.files.map((f) => shellWord(basename(f))).join(' ')}${asOfGiven ? ` --as-of ${asOf}` : ''}` +
            `${o.correspondence ? ` --correspondence ${shellWord(basename(o.correspondence))}` : ''} --confirm-mass-change`,
        confirmBy: o.jobRunId ? 'an operator other than its submitter' : 'someone at the host',
        ratio: this.cfg.RPPS_MASS_CHANGE_RATIO,
        actor: o.actor,
        onApplying: () => emit('applying', 0, 1),
      });
      emit('done', 1, 1);
      const out: ImportResult = {
        importId,
        status: result.status,
        layout: files.main.header.layout,
        asOf,
        asOfGiven,
        rowsRead: load.rowsRead,
        rowsAccepted: load.rowsAccepted,
        rowsRejected: load.rowsRejected,
        rejects: load.firstRejects,
        events: result.events,
        professionals: result.professionals,
        migrationCandidates: result.candidates,
        ...(result.heldReason ? { heldReason: result.heldReason, confirmWith: result.confirmWith } : {}),
        ...(result.massChangeConfirmed ? { massChangeConfirmed: result.massChangeConfirmed } : {}),
        ...(result.preview ? { preview: result.preview } : {}),
        jobRunId,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        phaseSeconds: { reading: round1(readSeconds), comparingAndApplying: round1((Date.now() - started) / 1000 - readSeconds) },
      };
      await reporter.flush();
      const summary = { ...out, rejects: undefined, rejectsShown: out.rejects.length };
      if (out.status === 'held') await this.jobs.hold(jobRunId, summary);
      else await this.jobs.succeed(jobRunId, summary);
      return out;
    } catch (err) {
      if (err instanceof RppsError && err.code === 'unusable_input') {
        // Unusable input commits nothing: no import, no job run of ours is left behind.
        if (importId) await qr.query(`DELETE FROM rpps_import WHERE id = $1`, [importId]).catch(() => undefined);
        if (jobRunId && !o.jobRunId) await this.jobs.discard(jobRunId).catch(() => undefined);
        if (o.jobRunId) await this.jobs.fail(o.jobRunId, jobErrorMessage(err)).catch(() => undefined);
        throw err;
      }
      if (importId) {
        // What GET /api/v1/imports shows: no host path, no value quoted by PostgreSQL (the worker's log, or
        // the CLI's own answer, has the details).
        await qr
          .query(`UPDATE rpps_import SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`, [
            importId,
            jobErrorMessage(err),
          ])
          .catch(() => undefined);
      }
      if (jobRunId) await this.jobs.fail(jobRunId, jobErrorMessage(err)).catch(() => undefined);
      throw err;
    } finally {
      if (stages) {
        await qr
          .query(`DROP TABLE IF EXISTS ${stages.situations}, ${stages.persons}, ${stages.profs}, ${stages.rejects}`)
          .catch(() => undefined);
      }
      if (locked) await qr.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK]).catch(() => undefined);
      await restoreTimeout();
      await qr.release();
    }
  }

  /** Reads each file's header: one Personne_activite file, at most one SavoirFaire file. */
  private async classify(paths: string[], zipLimits: ZipLimits): Promise<ClassifiedFiles> {
    if (!paths.length) throw unusableInput('no file given: rpps:import needs a PS_LibreAcces_Personne_activite file');
    let main: ClassifiedFiles['main'] | undefined;
    let savoirFaire: ClassifiedFiles['savoirFaire'];
    for (const p of paths) {
      const name = basename(p);
      let start: ExtractStart;
      let entryName: string;
      try {
        const opened = await openExtract(p, zipLimits);
        entryName = opened.name;
        start = await readHeader(opened.stream);
        await start.close();
      } catch (e) {
        if (e instanceof ExtractFormatError) throw unusableInput(`"${name}": ${e.message}`);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw unusableInput(`"${p}": no such file`);
        if (code === 'EACCES') throw unusableInput(`"${p}": permission denied`);
        if (code === 'EISDIR') throw unusableInput(`"${p}": is a directory, not a file`);
        throw e;
      }
      try {
        if (start.kind === 'personne-activite') {
          if (main) throw unusableInput(`two Personne_activite files given ("${basename(main.path)}" and "${name}"); give one`);
          main = { path: p, entryName, header: parsePersonneActiviteHeader(start.header.text) };
        } else if (start.kind === 'savoir-faire' && start.header.text.split('|').filter((x) => x.trim()).length <= 10) {
          if (savoirFaire) throw unusableInput(`two SavoirFaire files given; give one`);
          savoirFaire = { path: p, header: parseSavoirFaireHeader(start.header.text) };
        } else {
          // Not recognised: the Personne_activite parser names the missing columns.
          main ??= { path: p, entryName, header: parsePersonneActiviteHeader(start.header.text) };
        }
      } catch (e) {
        if (e instanceof ExtractFormatError) throw unusableInput(`"${name}": ${e.message}`);
        throw e;
      }
    }
    if (!main) throw unusableInput('no PS_LibreAcces_Personne_activite file among the files given');
    if (main.header.layout === 'personne-activite-56' && !savoirFaire) {
      throw unusableInput(
        `"${basename(main.path)}" is in the 56-column layout, whose specialties are in the PS_LibreAcces_SavoirFaire file: give that file too`,
      );
    }
    return { main, savoirFaire };
  }

  private async readCorrespondence(path: string): Promise<Array<{ adeliNationalId: string; rppsNationalId: string }>> {
    let parsed: CorrespondenceFile;
    try {
      parsed = await readCorrespondenceFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw unusableInput(`--correspondence "${path}": no such file`);
      throw e;
    }
    if (parsed.errors.length) {
      const first = parsed.errors
        .slice(0, 5)
        .map((e) => `line ${e.line}: ${e.reason}`)
        .join('; ');
      throw unusableInput(`--correspondence "${basename(path)}" has ${parsed.errors.length} bad line(s): ${first}`);
    }
    return parsed.pairs;
  }

  /** An import left 'running' by a process that died; its staging tables are dropped. */
  private async cleanUpInterrupted(qr: QueryRunner): Promise<void> {
    const stale = await rowsReturned<{ id: string }>(
      qr.manager,
      `UPDATE rpps_import SET status = 'failed', finished_at = now(),
              error = 'interrupted: the process stopped before the end; nothing was applied'
        WHERE status = 'running' RETURNING id`,
    );
    for (const s of stale) this.logger.warn({ importId: s.id }, 'marked an interrupted import as failed');
    // No import runs while we hold the lock: a job run still 'running' lost its process,
    // before its import was recorded (failed) or just after (the import's status tells).
    const orphans = await this.jobs.stillRunning('rpps-import');
    if (orphans.length) {
      const imports: Array<{ jobRunId: string; importId: string; status: ImportStatus }> = await qr.query(
        `SELECT job_run_id::text AS "jobRunId", id::text AS "importId", status FROM rpps_import WHERE job_run_id = ANY($1::uuid[])`,
        [orphans],
      );
      for (const jobRunId of orphans) {
        const i = imports.find((x) => x.jobRunId === jobRunId);
        if (i && ['baseline', 'applied', 'unchanged'].includes(i.status)) {
          await this.jobs.succeed(jobRunId, { importId: i.importId, status: i.status });
        } else if (i?.status === 'held') {
          await this.jobs.hold(jobRunId, { importId: i.importId, status: i.status });
        } else {
          await this.jobs.fail(
            jobRunId,
            'interrupted: the process stopped before the end',
            i ? { importId: i.importId, status: i.status } : undefined,
          );
        }
      }
    }
    const tables: Array<{ tablename: string }> = await qr.query(LEFTOVER_TABLES_SQL);
    for (const t of tables) await qr.query(`DROP TABLE IF EXISTS ${t.tablename}`);
  }

  private async refuseOlderThanRegistry(qr: QueryRunner, asOf: string): Promise<void> {
    const rows: Array<{ as_of: string }> = await qr.query(
      `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS as_of FROM rpps_import WHERE status IN ('baseline', 'applied', 'unchanged')`,
    );
    const last = rows[0]?.as_of;
    if (last && asOf < last) {
      throw unusableInput(`the extract is dated ${asOf}, older than the registry (as of ${last}): refusing to go back in time`);
    }
  }

  /**
   * The job runs of the held imports this import decides, in its transaction: the one it
   * confirms (over the API) ends `confirmed`, every older one still held ends `superseded`
   * (no confirmation can apply it any more): both `succeeded`, their result saying so and by
   * which import and run, so that no held run waits for a decision already taken.
   */
  private async closeHeldRuns(qr: QueryRunner, importId: string, jobRunId: string, confirmedId?: string): Promise<void> {
    const close = (status: 'confirmed' | 'superseded', which: string, params: unknown[]) =>
      qr.query(
        `UPDATE job_run j SET state = 'succeeded', updated_at = now(),
                result = COALESCE(j.result, '{}'::jsonb) || jsonb_build_object('status', '${status}',
                         '${status}ByImport', $1::text, '${status}ByRun', $2::text)
           FROM rpps_import i
          WHERE i.job_run_id = j.id AND j.state = 'held' AND i.status = 'held' AND i.id <> $1::uuid AND ${which}`,
        params,
      );
    if (confirmedId) await close('confirmed', 'i.id = $3::uuid', [importId, jobRunId, confirmedId]);
    await close('superseded', 'i.started_at < (SELECT started_at FROM rpps_import WHERE id = $1::uuid)', [importId, jobRunId]);
  }

  private async compareAndApply(
    qr: QueryRunner,
    c: {
      importId: string;
      jobRunId: string;
      stages: StageTables;
      asOf: string;
      asOfGiven: boolean;
      /** No file name carries the agency's stamp: the date is the caller's word alone (any cessation is held). */
      dateFromCallerOnly: boolean;
      load: LoadCounters;
      fileInfos: ImportFile[];
      correspondence: Array<{ adeliNationalId: string; rppsNationalId: string }>;
      confirm: boolean;
      /** Who confirmed a mass change, and where (the result and the audit entry say it when the change was one). */
      confirmation?: { where: 'host' | 'api'; by: string; heldId?: string };
      /** How a held import is confirmed, and by whom. */
      confirmWith: string;
      confirmBy: string;
      ratio: number;
      actor: string;
      onApplying: () => void;
    },
  ): Promise<{
    status: ImportResult['status'];
    events: EventCounts;
    professionals: { before: number; after: number };
    candidates: number;
    heldReason?: string;
    confirmWith?: string;
    massChangeConfirmed?: string;
    preview?: ImportPreview;
  }> {
    const timings: Array<[string, number]> = [];
    const q = async (sql: string, params: unknown[] = []) => {
      const t0 = Date.now();
      const r = await qr.query(sql, params);
      timings.push([sql.replace(/\s+/g, ' ').slice(0, 90), Date.now() - t0]);
      return r;
    };
    const withId = (sql: string) => (sql.includes('$1') ? [c.importId] : []);
    for (const sql of indexStageSql(c.stages)) await q(sql);
    await qr.startTransaction('READ COMMITTED');
    try {
      await q(`CREATE TEMP TABLE s_frozen ON COMMIT DROP AS SELECT unnest($1::text[]) AS national_id`, [[...c.load.frozen]]);
      await q(`CREATE TEMP TABLE s_maybe_dup ON COMMIT DROP AS SELECT unnest($1::text[]) AS national_id`, [c.load.maybeDuplicated]);
      for (const sql of prepareSql(c.stages)) await q(sql);
      const [sizes] = await q(sizesSql(c.stages));
      const before = Number(sizes.activeBefore);
      const baseline = !sizes.registryHasRows;
      const events = zeroCounts();
      let candidates = 0;
      let status: ImportResult['status'];
      let heldReason: string | undefined;
      let preview: ImportPreview | undefined;
      let massChangeSeen = false;
      let confirmedWhat = 'mass change';

      if (baseline) {
        status = 'baseline';
        c.onApplying();
        for (const sql of baselineSql(c.stages)) await q(sql, withId(sql));
      } else {
        for (const sql of compareSql(c.stages)) await q(sql);
        await q(`CREATE TEMP TABLE corr ON COMMIT DROP AS SELECT * FROM unnest($1::text[], $2::text[]) AS k(adeli, rpps)`, [
          c.correspondence.map((x) => x.adeliNationalId),
          c.correspondence.map((x) => x.rppsNationalId),
        ]);
        for (const sql of migrationSql(c.stages)) await q(sql);
        const [counts] = await q(COUNT_EVENTS_SQL);
        for (const k of REGISTRY_EVENT_KINDS) events[k] = Number(counts[k]);
        candidates = Number(counts.candidates);
        const unchanged =
          Number(counts.arrivals) === 0 && Number(counts.departures) === 0 && Number(counts.peopleChanged) === 0 && candidates === 0;
        status = unchanged ? 'unchanged' : 'applied';
        const guard = massChange(events.CEASED, before, c.ratio, {
          would: 'this import would cease',
          of: 'professionals',
          setting: 'RPPS_MASS_CHANGE_RATIO',
          nothingDone: 'nothing applied',
          check: 'Check the file (a truncated extract?)',
          confirmBy: c.confirmBy,
          confirmWith: c.confirmWith,
        });
        // An old extract given today's date would cease everyone registered since: with no
        // stamp to back the date, any cessation waits for a person, whatever the share.
        const unbacked = c.dateFromCallerOnly && events.CEASED > 0;
        massChangeSeen = guard.held || unbacked;
        if (unbacked && !guard.held) confirmedWhat = 'cessation by an extract dated by the date given only';
        if (!c.confirm && massChangeSeen) {
          status = 'held';
          heldReason = guard.held
            ? `${guard.reason}${unbacked ? ` (and its date, ${c.asOf}, was given: no file name carries the agency's stamp)` : ''}`
            : unbackedDateReason(c.asOf, events.CEASED, c.confirmBy, c.confirmWith);
          preview = await readPreview(q, before, events, Number(counts.peopleChanged));
          await qr.rollbackTransaction();
          await qr.startTransaction();
        } else if (status === 'unchanged') {
          // Nothing the registry tracks changed; the lines as read are still refreshed.
          for (const sql of swapSituationsSql(c.stages)) await q(sql);
        } else {
          c.onApplying();
          // Events first: their details read the registry as it was before this import.
          for (const sql of insertEventsSql(c.stages)) await q(sql, [c.importId]);
          for (const sql of applySql(c.stages)) await q(sql, withId(sql));
          const emitted: Array<{ eventId: string; kind: string }> = await q(
            `SELECT id::text AS "eventId", kind FROM rpps_event WHERE import_id = $1 ORDER BY id`,
            [c.importId],
          );
          await this.outbox.addMany(qr.manager, REGISTRY_EVENT_TOPIC, emitted);
        }
      }
      const [{ n: activeAfter }] =
        status === 'held' ? [{ n: before }] : await q(`SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL`);
      await q(
        `INSERT INTO rpps_reject (import_id, file, line_no, reason, raw)
         SELECT $1::uuid, file, line_no, reason, raw FROM ${c.stages.rejects}`,
        [c.importId],
      );
      const professionals = { before, after: Number(activeAfter) };
      await qr.query(
        `UPDATE rpps_import SET status = $2, files = $3, rows_read = $4, rows_accepted = $5, rows_rejected = $6,
                events = $7, professionals_before = $8, professionals_after = $9, error = $10, preview = $11,
                finished_at = clock_timestamp()
          WHERE id = $1`,
        [
          c.importId,
          status,
          JSON.stringify(c.fileInfos),
          c.load.rowsRead,
          c.load.rowsAccepted,
          c.load.rowsRejected,
          JSON.stringify(events),
          professionals.before,
          professionals.after,
          heldReason ?? null,
          preview ? JSON.stringify(preview) : null,
        ],
      );
      await this.closeHeldRuns(qr, c.importId, c.jobRunId, status === 'held' ? undefined : c.confirmation?.heldId);
      const confirmed =
        c.confirmation && massChangeSeen && status !== 'held' ? massChangeConfirmed(confirmedWhat, c.confirmation) : undefined;
      await this.audit.append(qr.manager, {
        actor: c.actor,
        action: `rpps.import.${status}`,
        entity: 'rpps_import',
        entityId: c.importId,
        details: {
          asOf: c.asOf,
          asOfGiven: c.asOfGiven,
          files: c.fileInfos,
          rowsRead: c.load.rowsRead,
          rowsRejected: c.load.rowsRejected,
          events,
          professionals,
          migrationCandidates: candidates,
          ...(confirmed ? { massChangeConfirmed: confirmed } : {}),
          ...(c.confirmation?.heldId ? { confirmsImportId: c.confirmation.heldId } : {}),
        },
      });
      await qr.commitTransaction();
      this.logger.debug({ importId: c.importId, timings: timings.map(([sql, ms]) => `${ms} ms ${sql}`) }, 'import SQL timings');
      return {
        status,
        events,
        professionals,
        candidates: status === 'held' ? 0 : candidates,
        heldReason,
        ...(heldReason ? { confirmWith: c.confirmWith } : {}),
        massChangeConfirmed: confirmed,
        preview,
      };
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  }
}

/**
 * Why an import whose date no stamp backs is held: it would cease `ceased` professionals,
 * and nothing shows that the file is not an older extract (which would make everyone
 * registered since look ceased).
 */
export function unbackedDateReason(asOf: string, ceased: number, confirmBy: string, confirmWith: string): string {
  return (
    `this import would cease ${ceased} professionals, and its date ${asOf} was given, not read from the agency's stamp ` +
    `(no file name carries one): nothing shows that the file is not an older extract, which would make everyone ` +
    `registered since look ceased. Held, nothing applied. Check that the file is the extract of ${asOf}; if it is, ` +
    `${confirmBy} confirms it: ${confirmWith}`
  );
}

/** A path as one shell word (quoted when it holds anything but safe characters). */
function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
