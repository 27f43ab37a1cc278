import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ConsoleAccount } from './console-account.entity';

/**
 * A console session: only the SHA-256 of its cookie's secret is kept. It ends when unused for
 * SESSION_IDLE_MINUTES (last_seen_at, renewed by the requests it authenticates) or at
 * expires_at (SESSION_MAX_HOURS after the sign-in), and its row goes when it is signed out,
 * its account disabled or given a new password.
 */
@Entity('console_session')
@Unique('console_session_secret_key', ['secretHash'])
@Index('console_session_principal_idx', ['principalId'])
@Index('console_session_expires_idx', ['expiresAt'])
export class ConsoleSession {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'console_session_pkey' })
  id: string;

  @Column('uuid', { name: 'principal_id' })
  principalId: string;

  @ManyToOne(() => ConsoleAccount)
  @JoinColumn({ name: 'principal_id', foreignKeyConstraintName: 'console_session_principal_id_fkey' })
  account: ConsoleAccount;

  @Column('text', { name: 'secret_hash' })
  secretHash: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
