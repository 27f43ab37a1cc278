import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PrincipalAccount } from '../common/auth/principal.entity';
import { JobRun } from '../common/jobs/job-run.entity';
import type { EventCounts } from './registry-events';

export type ImportStatus = 'running' | 'baseline' | 'applied' | 'unchanged' | 'held' | 'failed';

/** What applying a held import would do, computed when it was held (kept so that nothing re-reads the file). */
export interface ImportPreview {
  professionalsBefore: number;
  /** Professionals the import would cease. */
  ceased: number;
  /** Professionals present on both sides with a change (identity, professions or situations). */
  changed: number;
  /** Professionals the import would add. */
  added: number;
  /** The registry events applying would emit, by kind. */
  events: EventCounts;
  /** The first changes (ceased first), by national id: at most {@link PREVIEW_SAMPLE_SIZE}. */
  sample: Array<{ nationalId: string; kind: string; professionCode?: string; professionLabel?: string | null }>;
}

export const PREVIEW_SAMPLE_SIZE = 20;

export interface ImportFile {
  name: string;
  kind: 'personne-activite' | 'savoir-faire' | 'correspondence';
  sha256: string;
  bytes: number;
}

@Entity('rpps_import')
@Check('rpps_import_status_check', `status IN ('running','baseline','applied','unchanged','held','failed')`)
@Index('rpps_import_started_idx', ['startedAt'])
export class RppsImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => JobRun, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'job_run_id', foreignKeyConstraintName: 'rpps_import_job_run_id_fkey' })
  jobRun: JobRun | null;

  @Column('uuid', { name: 'job_run_id', nullable: true })
  jobRunId: string | null;

  @Column('text')
  status: ImportStatus;

  @Column('text', { nullable: true })
  layout: string | null;

  @Column('jsonb', { default: () => "'[]'" })
  files: ImportFile[];

  @Column('date', { name: 'as_of', nullable: true })
  asOf: string | null;

  @Column('boolean', { name: 'confirm_mass_change', default: false })
  confirmMassChange: boolean;

  @Column('integer', { name: 'rows_read', default: 0 })
  rowsRead: number;

  @Column('integer', { name: 'rows_accepted', default: 0 })
  rowsAccepted: number;

  @Column('integer', { name: 'rows_rejected', default: 0 })
  rowsRejected: number;

  @Column('jsonb', { nullable: true })
  events: EventCounts | null;

  @Column('integer', { name: 'professionals_before', nullable: true })
  professionalsBefore: number | null;

  @Column('integer', { name: 'professionals_after', nullable: true })
  professionalsAfter: number | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text')
  actor: string;

  /** The principal that submitted it over the API (null: run at the host); it may not confirm it. */
  @Column('uuid', { name: 'submitted_by_principal', nullable: true })
  submittedByPrincipal: string | null;

  @ManyToOne(() => PrincipalAccount, { nullable: true })
  @JoinColumn({ name: 'submitted_by_principal', foreignKeyConstraintName: 'rpps_import_submitted_by_principal_fkey' })
  submitter: PrincipalAccount | null;

  /** Held imports: what applying would do. */
  @Column('jsonb', { nullable: true })
  preview: ImportPreview | null;

  @Column('uuid', { name: 'confirmed_by_principal', nullable: true })
  confirmedByPrincipal: string | null;

  @ManyToOne(() => PrincipalAccount, { nullable: true })
  @JoinColumn({ name: 'confirmed_by_principal', foreignKeyConstraintName: 'rpps_import_confirmed_by_principal_fkey' })
  confirmer: PrincipalAccount | null;

  @Column('timestamptz', { name: 'confirmed_at', nullable: true })
  confirmedAt: Date | null;

  /** The job that applies a confirmed held import. */
  @Column('uuid', { name: 'confirmation_job_run_id', nullable: true })
  confirmationJobRunId: string | null;

  @ManyToOne(() => JobRun, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'confirmation_job_run_id', foreignKeyConstraintName: 'rpps_import_confirmation_job_run_id_fkey' })
  confirmationJobRun: JobRun | null;

  /** On the import that applies a held one: the held import it confirms. */
  @Column('uuid', { name: 'confirms_import_id', nullable: true })
  confirmsImportId: string | null;

  @ManyToOne(() => RppsImport, { nullable: true })
  @JoinColumn({ name: 'confirms_import_id', foreignKeyConstraintName: 'rpps_import_confirms_import_id_fkey' })
  confirms: RppsImport | null;

  @Column('timestamptz', { name: 'started_at', default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}

@Entity('rpps_reject')
export class RppsReject {
  @ManyToOne(() => RppsImport, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'rpps_reject_import_id_fkey' })
  import: RppsImport;

  @Column('uuid', { name: 'import_id', primary: true })
  importId: string;

  @Column('text', { primary: true })
  file: string;

  @Column('integer', { name: 'line_no', primary: true })
  lineNo: number;

  @Column('text')
  reason: string;

  @Column('text')
  raw: string;
}
