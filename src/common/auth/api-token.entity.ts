import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from './roles';

@Entity('api_token')
@Check('api_token_role_check', `role IN ('operator','helpdesk','batch','auditor','admin')`)
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  role: Role;

  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  @Column('text', { name: 'token_hash', unique: true })
  tokenHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
