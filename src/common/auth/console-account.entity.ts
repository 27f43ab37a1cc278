import { Check, Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, Unique } from 'typeorm';
import { PrincipalAccount } from './principal.entity';
import { Role } from './roles';

/** The roles a person may hold in the console: every role but batch (machines' bearer tokens). */
export const CONSOLE_ROLES = ['operator', 'helpdesk', 'auditor', 'admin'] as const satisfies readonly Role[];
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/**
 * A person's console account: one per principal (a person), with its roles, an optional email
 * (a second login), the argon2id hash of its password (none until the set-password link is
 * used), the consecutive failed sign-ins and the lock they led to, and when it was disabled.
 * The set-password link is one at a time: only the SHA-256 of its token is kept, with its
 * expiry; using it, or issuing another, clears it.
 */
@Entity('console_account')
@Check('console_account_roles_check', `cardinality(roles) >= 1 AND roles <@ ARRAY['operator','helpdesk','auditor','admin']::text[]`)
@Check('console_account_link_check', `(password_link_hash IS NULL) = (password_link_expires_at IS NULL)`)
@Check('console_account_failed_attempts_check', `failed_attempts >= 0`)
@Index('console_account_email_key', { synchronize: false })
@Unique('console_account_password_link_key', ['passwordLinkHash'])
export class ConsoleAccount {
  @PrimaryColumn('uuid', { name: 'principal_id', primaryKeyConstraintName: 'console_account_pkey' })
  principalId: string;

  @OneToOne(() => PrincipalAccount)
  @JoinColumn({ name: 'principal_id', foreignKeyConstraintName: 'console_account_principal_id_fkey' })
  principal: PrincipalAccount;

  @Column('text', { array: true })
  roles: ConsoleRole[];

  /** Unique, whatever its case; a second login besides the principal's name. */
  @Column('text', { nullable: true })
  email: string | null;

  /** argon2id, PHC string; null until a password is set through a link. */
  @Column('text', { name: 'password_hash', nullable: true })
  passwordHash: string | null;

  @Column('timestamptz', { name: 'password_set_at', nullable: true })
  passwordSetAt: Date | null;

  /** SHA-256 (hex) of the set-password link's token; the token itself is shown once. */
  @Column('text', { name: 'password_link_hash', nullable: true })
  passwordLinkHash: string | null;

  @Column('timestamptz', { name: 'password_link_expires_at', nullable: true })
  passwordLinkExpiresAt: Date | null;

  /** Failed sign-ins since the last success (or the last lock). */
  @Column('int', { name: 'failed_attempts', default: 0 })
  failedAttempts: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
