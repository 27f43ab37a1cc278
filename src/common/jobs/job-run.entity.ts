import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `held`: waiting for a person's decision (an import held for a mass change, an expiry sweep past EXPIRY_MAX_SHARE); it did nothing. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'held'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * The kinds of job run the code records (JobsService takes only these; `GET /api/v1/jobs?kind=`
 * refuses any other): a registry import, a renewal sweep, an expiry sweep, a mailing batch, the daily
 * sweep of the codes (destroyed past their reprint window, or once no letter will need them), the daily
 * retention purge.
 */
export const JOB_KINDS = ['rpps-import', 'renewals', 'expiry', 'mailing-batch', 'codes-sweep', 'retention'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A long run (import, sweep, batch) with its progress, whether started from the CLI or a worker. */
@Entity('job_run')
@Check('job_run_state_check', `state IN ('queued','running','succeeded','failed','held')`)
@Index('job_run_created_idx', ['createdAt'])
@Index('job_run_finished_idx', ['finishedAt'], { where: `state IN ('succeeded', 'failed')` })
export class JobRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  kind: string;

  @Column('text')
  state: JobState;

  @Column('text', { nullable: true })
  phase: string | null;

  @Column('bigint', { default: 0 })
  progress: string;

  @Column('bigint', { nullable: true })
  total: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  params: Record<string, unknown>;

  @Column('jsonb', { nullable: true })
  result: Record<string, unknown> | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text')
  actor: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
