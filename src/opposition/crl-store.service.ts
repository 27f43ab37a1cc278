import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type CrlKind = 'full' | 'delta';

export interface CrlPublicationView {
  crlNumber: string;
  kind: CrlKind;
  baseCrlNumber: string | null;
  entries: number;
  thisUpdate: Date;
  nextUpdate: Date;
  path: string;
  sha256: string;
  bytes: number;
}

/** What a new publication records (the row, then its bytes in parts). */
export interface NewPublication extends CrlPublicationView {
  watermark: string;
  publishedBy: string;
  issuerCertificatePem: string;
}

/** A published CRL's bytes and the issuer certificate it was signed under. */
export interface CrlDocument {
  der: Buffer;
  issuerCertificatePem: string | null;
}

/** A publication as the console lists it (GET /api/v1/crls). */
export interface CrlPublicationSummary {
  crlNumber: number;
  kind: CrlKind;
  /** A delta's base: the full CRL it adds to. */
  baseCrlNumber: number | null;
  entries: number;
  thisUpdate: Date;
  nextUpdate: Date;
  sha256: string;
  bytes: number;
  publishedAt: Date;
  publishedBy: string;
}

const SUMMARY_COLUMNS = `crl_number::float8 AS "crlNumber", kind, base_crl_number::float8 AS "baseCrlNumber", entries,
  this_update AS "thisUpdate", next_update AS "nextUpdate", sha256, bytes::float8 AS bytes, created_at AS "publishedAt",
  published_by AS "publishedBy"`;

/** How many publications GET /api/v1/crls lists, newest first. */
export const CRL_HISTORY_SHOWN = 20;

/** DER bytes per crl_publication_part row: small enough that neither side holds a hex copy of a 40 MB CRL at once. */
export const CRL_PART_BYTES = 4 * 1024 * 1024;

export const PUBLICATION_COLUMNS = `crl_number::text AS "crlNumber", kind, base_crl_number::text AS "baseCrlNumber", entries,
  this_update AS "thisUpdate", next_update AS "nextUpdate", path, sha256, bytes::float8 AS bytes`;

const CURRENT_FULL = `SELECT ${PUBLICATION_COLUMNS} FROM crl_publication WHERE kind = 'full' ORDER BY crl_number DESC LIMIT 1`;
const CURRENT_DELTA = `SELECT ${PUBLICATION_COLUMNS} FROM crl_publication WHERE kind = 'delta'
   AND base_crl_number = (SELECT max(crl_number) FROM crl_publication WHERE kind = 'full')
 ORDER BY crl_number DESC LIMIT 1`;

/**
 * The CRLs published, as PostgreSQL keeps them: crl_publication rows (number, kind, dates,
 * SHA-256, issuer certificate) and their DER bytes in crl_publication_part. Holds no key:
 * the API reads the CRLs it serves from here, the signer (CrlPublisher) writes them.
 */
@Injectable()
export class CrlStore {
  constructor(private readonly ds: DataSource) {}

  /** The CRL currently served of a kind; the delta only if it is based on the current full CRL. */
  async current(kind: CrlKind): Promise<CrlPublicationView | null> {
    const [row] = await this.ds.query(kind === 'full' ? CURRENT_FULL : CURRENT_DELTA);
    return row ?? null;
  }

  /** Both current CRLs, in one round trip. */
  async currentBoth(): Promise<Record<CrlKind, CrlPublicationView | null>> {
    const rows: Array<CrlPublicationView & { which: CrlKind }> = await this.ds.query(
      `(SELECT 'full' AS which, * FROM (${CURRENT_FULL}) f) UNION ALL (SELECT 'delta' AS which, * FROM (${CURRENT_DELTA}) d)`,
    );
    const pick = (k: CrlKind) => {
      const r = rows.find((x) => x.which === k);
      if (!r) return null;
      const { which: _w, ...view } = r;
      return view;
    };
    return { full: pick('full'), delta: pick('delta') };
  }

  /** The CRLs served now, as the console lists them: the latest full CRL and the latest delta based on it (see current). */
  async currentSummaries(): Promise<Record<CrlKind, CrlPublicationSummary | null>> {
    const rows: CrlPublicationSummary[] = await this.ds.query(
      `WITH f AS (SELECT max(crl_number) AS n FROM crl_publication WHERE kind = 'full')
       SELECT ${SUMMARY_COLUMNS} FROM crl_publication
        WHERE crl_number = (SELECT n FROM f)
           OR crl_number = (SELECT max(crl_number) FROM crl_publication WHERE kind = 'delta' AND base_crl_number = (SELECT n FROM f))`,
    );
    return { full: rows.find((r) => r.kind === 'full') ?? null, delta: rows.find((r) => r.kind === 'delta') ?? null };
  }

  /** The latest publications, full and delta, newest first (by CRL number: both kinds share the sequence). */
  async history(limit = CRL_HISTORY_SHOWN): Promise<CrlPublicationSummary[]> {
    return this.ds.query(`SELECT ${SUMMARY_COLUMNS} FROM crl_publication ORDER BY crl_number DESC LIMIT $1`, [limit]);
  }

  /**
   * A publication's bytes, read one part per query (the driver holds one part's text at a
   * time), and its issuer certificate; null when the bytes are not kept (pruned, or
   * published before CRLs were kept in the database).
   */
  async document(crlNumber: string): Promise<CrlDocument | null> {
    const [row]: Array<{ cert: string | null; parts: number }> = await this.ds.query(
      `SELECT p.issuer_certificate AS cert, (SELECT count(*)::int FROM crl_publication_part WHERE crl_number = p.crl_number) AS parts
         FROM crl_publication p WHERE p.crl_number = $1`,
      [crlNumber],
    );
    if (!row || row.parts === 0) return null;
    const parts: Buffer[] = [];
    for (let part = 0; part < row.parts; part++) {
      const [p]: Array<{ bytes: Buffer }> = await this.ds.query(
        `SELECT bytes FROM crl_publication_part WHERE crl_number = $1 AND part = $2`,
        [crlNumber, part],
      );
      if (!p) return null; // pruned meanwhile
      parts.push(p.bytes);
    }
    return { der: parts.length === 1 ? parts[0] : Buffer.concat(parts), issuerCertificatePem: row.cert };
  }

  /** Whether the current full CRL's bytes are in the database (what an API on any host can serve). */
  async currentFullIsStored(): Promise<boolean> {
    const [row] = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM crl_publication_part WHERE crl_number = (SELECT max(crl_number) FROM crl_publication WHERE kind = 'full')) AS stored`,
    );
    return row.stored === true;
  }

  /**
   * Whether the current full CRL's bytes are in the database and its thisUpdate (real time) is less than `maxAgeHours`
   * old, by the database's clock.
   */
  async currentFullIsStoredAndFresh(maxAgeHours: number): Promise<boolean> {
    const [row] = await this.ds.query(
      `SELECT EXISTS (
         SELECT 1 FROM crl_publication p
          WHERE p.crl_number = (SELECT max(crl_number) FROM crl_publication WHERE kind = 'full')
            AND p.this_update > now() - make_interval(hours => $1)
            AND EXISTS (SELECT 1 FROM crl_publication_part x WHERE x.crl_number = p.crl_number)) AS fresh`,
      [maxAgeHours],
    );
    return row.fresh === true;
  }

  /** Records a publication and its bytes, in the caller's transaction. */
  async insert(em: EntityManager, p: NewPublication, der: Buffer): Promise<void> {
    await em.query(
      `INSERT INTO crl_publication (crl_number, kind, base_crl_number, watermark, this_update, next_update, entries, bytes, path, sha256,
                                    published_by, issuer_certificate)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        p.crlNumber,
        p.kind,
        p.baseCrlNumber,
        p.watermark,
        p.thisUpdate,
        p.nextUpdate,
        p.entries,
        der.length,
        p.path,
        p.sha256,
        p.publishedBy,
        p.issuerCertificatePem,
      ],
    );
    const parts = Math.max(1, Math.ceil(der.length / CRL_PART_BYTES));
    for (let part = 0; part < parts; part++) {
      await em.query(`INSERT INTO crl_publication_part (crl_number, part, bytes) VALUES ($1, $2, $3)`, [
        p.crlNumber,
        part,
        der.subarray(part * CRL_PART_BYTES, (part + 1) * CRL_PART_BYTES),
      ]);
    }
  }

  /** Drops the bytes of the CRLs numbered below `crlNumber` (their rows stay). */
  async dropBytesBefore(crlNumber: string): Promise<void> {
    await this.ds.query(`DELETE FROM crl_publication_part WHERE crl_number < $1`, [crlNumber]);
  }
}
