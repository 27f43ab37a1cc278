import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Page, paged } from '../common/database/paged';
import { rowsReturned } from '../common/database/returning';
import { OutboxService } from '../common/outbox/outbox.service';
import { REGISTRY_EVENT_TOPIC } from './registry-events';
import { RppsError } from './rpps.errors';

/** What `rpps:migrations --status` and `GET /api/v1/registry/migrations?status=` accept; both default to `pending`. */
export const MIGRATION_STATUS_FILTERS = ['pending', 'confirmed', 'rejected', 'applied', 'all'] as const;
export type MigrationStatusFilter = (typeof MIGRATION_STATUS_FILTERS)[number];

export interface MigrationView {
  id: string;
  importId: string;
  adeliNationalId: string;
  rppsNationalId: string;
  source: 'correspondence' | 'candidate';
  status: 'applied' | 'pending' | 'confirmed' | 'rejected';
  lastName: string | null;
  firstName: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

const MIGRATION_COLUMNS = `m.id::text AS id, m.import_id AS "importId", m.adeli_national_id AS "adeliNationalId",
  m.rpps_national_id AS "rppsNationalId", m.source, m.status, p.last_name AS "lastName", p.first_name AS "firstName",
  m.decided_by AS "decidedBy", m.decided_at AS "decidedAt", m.created_at AS "createdAt"`;
const MIGRATION_FROM = 'rpps_identifier_migration m LEFT JOIN rpps_professional p ON p.national_id = m.rpps_national_id';

/**
 * ADELI → RPPS migrations found without a correspondence file wait for an operator:
 * confirming emits IDENTIFIER_MIGRATED; rejecting emits what the import held back
 * (CEASED for the ADELI identifier, NEW_PROFESSIONAL for the RPPS one).
 */
@Injectable()
export class IdentifierMigrationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** One page of the migrations with that status (`all`: whatever their status), newest first, and how many there are. */
  async list(q: { status?: MigrationStatusFilter; page?: number; pageSize?: number } = {}): Promise<Page<MigrationView>> {
    const status = q.status ?? 'pending';
    return paged<MigrationView>(this.ds, {
      select: MIGRATION_COLUMNS,
      from: MIGRATION_FROM,
      where: (p) => (status === 'all' ? '' : `WHERE m.status = ${p(status)}`),
      orderBy: 'm.id DESC',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
  }

  /** One migration, whatever its status; 404 `migration_not_found` when there is none. */
  async get(id: string): Promise<MigrationView> {
    const rows: MigrationView[] = /^\d{1,18}$/.test(id)
      ? await this.ds.query(`SELECT ${MIGRATION_COLUMNS} FROM ${MIGRATION_FROM} WHERE m.id = $1`, [id])
      : [];
    if (!rows.length) throw new RppsError('migration_not_found', `no identifier migration ${id}`, 404);
    return rows[0];
  }

  async decide(id: string, decision: 'confirm' | 'reject', actor: string): Promise<MigrationView> {
    if (!/^\d+$/.test(id)) throw new RppsError('migration_not_found', `no identifier migration ${id}`, 404);
    await this.ds.transaction(async (em) => {
      const rows = await rowsReturned<{ import_id: string; adeli: string; rpps: string }>(
        em,
        `UPDATE rpps_identifier_migration SET status = $2, decided_by = $3, decided_at = now()
          WHERE id = $1 AND status = 'pending'
        RETURNING import_id, adeli_national_id AS adeli, rpps_national_id AS rpps`,
        [id, decision === 'confirm' ? 'confirmed' : 'rejected', actor],
      );
      if (!rows.length) {
        const exists = await em.query(`SELECT status FROM rpps_identifier_migration WHERE id = $1`, [id]);
        if (!exists.length) throw new RppsError('migration_not_found', `no identifier migration ${id}`, 404);
        throw new RppsError('migration_already_decided', `identifier migration ${id} is already ${exists[0].status}`, 409);
      }
      const { import_id: importId, adeli, rpps } = rows[0];
      const professions = await em.query(
        `SELECT COALESCE(jsonb_agg(profession_code ORDER BY profession_code), '[]'::jsonb) AS p FROM rpps_profession WHERE national_id = $1`,
        [adeli],
      );
      if (decision === 'confirm') {
        await this.event(em, importId, 'IDENTIFIER_MIGRATED', rpps, { fromNationalId: adeli, source: 'candidate', decidedBy: actor });
      } else {
        await this.event(em, importId, 'CEASED', adeli, { professions: professions[0].p, after: 'migration candidate rejected' });
        const newProfessions = await em.query(
          `SELECT COALESCE(jsonb_agg(profession_code ORDER BY profession_code), '[]'::jsonb) AS p FROM rpps_profession WHERE national_id = $1`,
          [rpps],
        );
        await this.event(em, importId, 'NEW_PROFESSIONAL', rpps, { professions: newProfessions[0].p });
      }
      // The ADELI identifier leaves the registry either way.
      await em.query(`UPDATE rpps_professional SET ceased_at = now(), updated_at = now(), migrated_to = $2 WHERE national_id = $1`, [
        adeli,
        decision === 'confirm' ? rpps : null,
      ]);
      await em.query(`DELETE FROM rpps_profession WHERE national_id = $1`, [adeli]);
      await em.query(`DELETE FROM rpps_situation WHERE national_id = $1`, [adeli]);
      await this.audit.append(em, {
        actor,
        action: `rpps.migration.${decision === 'confirm' ? 'confirmed' : 'rejected'}`,
        entity: 'rpps_identifier_migration',
        entityId: id,
        details: { adeliNationalId: adeli, rppsNationalId: rpps },
      });
    });
    return this.get(id);
  }

  private async event(em: EntityManager, importId: string, kind: string, nationalId: string, details: object): Promise<void> {
    const [e]: Array<{ id: string }> = await em.query(
      `INSERT INTO rpps_event (import_id, kind, national_id, details) VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
      [importId, kind, nationalId, JSON.stringify(details)],
    );
    await this.outbox.add(em, REGISTRY_EVENT_TOPIC, { eventId: e.id, kind });
  }
}
