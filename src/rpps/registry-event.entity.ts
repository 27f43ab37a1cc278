import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { RegistryEventKind } from './registry-events';
import { RppsImport } from './rpps-import.entity';

@Entity('rpps_event')
@Check(
  'rpps_event_kind_check',
  `kind IN ('NEW_PROFESSIONAL','PROFESSION_ADDED','PROFESSION_REMOVED','IDENTITY_CHANGED','SITUATION_CHANGED','IDENTIFIER_MIGRATED','CEASED')`,
)
@Index('rpps_event_import_idx', ['importId'])
@Index('rpps_event_person_idx', ['nationalId'])
export class RegistryEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @ManyToOne(() => RppsImport)
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'rpps_event_import_id_fkey' })
  import: RppsImport;

  @Column('uuid', { name: 'import_id' })
  importId: string;

  @Column('text')
  kind: RegistryEventKind;

  @Column('text', { name: 'national_id' })
  nationalId: string;

  @Column('text', { name: 'profession_code', nullable: true })
  professionCode: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type MigrationSource = 'correspondence' | 'candidate';
export type MigrationStatus = 'applied' | 'pending' | 'confirmed' | 'rejected';

/** An ADELI identifier replaced by an RPPS one: from a correspondence file, or a candidate for an operator. */
@Entity('rpps_identifier_migration')
@Check('rpps_identifier_migration_source_check', `source IN ('correspondence','candidate')`)
@Check('rpps_identifier_migration_status_check', `status IN ('applied','pending','confirmed','rejected')`)
@Index('rpps_identifier_migration_pending_idx', ['adeliNationalId'], { unique: true, where: "status = 'pending'" })
export class IdentifierMigration {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @ManyToOne(() => RppsImport)
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'rpps_identifier_migration_import_id_fkey' })
  import: RppsImport;

  @Column('uuid', { name: 'import_id' })
  importId: string;

  @Column('text', { name: 'adeli_national_id' })
  adeliNationalId: string;

  @Column('text', { name: 'rpps_national_id' })
  rppsNationalId: string;

  @Column('text')
  source: MigrationSource;

  @Column('text')
  status: MigrationStatus;

  @Column('text', { name: 'decided_by', nullable: true })
  decidedBy: string | null;

  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
