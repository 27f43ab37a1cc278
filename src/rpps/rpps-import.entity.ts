import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { JobRun } from '../common/jobs/job-run.entity';
import type { EventCounts } from './registry-events';

export type ImportStatus = 'running' | 'baseline' | 'applied' | 'unchanged' | 'held' | 'failed';

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

  @ManyToOne(() => JobRun, { nullable: true })
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
