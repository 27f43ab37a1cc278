import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PrincipalAccount } from './principal.entity';
import { Role } from './roles';

@Entity('api_token')
@Check('api_token_role_check', `role IN ('operator','helpdesk','batch','auditor','admin')`)
@Index('api_token_principal_idx', ['principalId'])
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'principal_id' })
  principalId: string;

  @ManyToOne(() => PrincipalAccount)
  @JoinColumn({ name: 'principal_id', foreignKeyConstraintName: 'api_token_principal_id_fkey' })
  principal: PrincipalAccount;

  @Column('text')
  role: Role;

  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  @Column('text', { name: 'token_hash', unique: true })
  tokenHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
