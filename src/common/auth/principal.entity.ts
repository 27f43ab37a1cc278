import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const PRINCIPAL_KINDS = ['person', 'system'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** Who acts: a person or a system account, created once; tokens (and later console accounts) belong to it. */
@Entity('principal')
@Check('principal_kind_check', `kind IN ('person','system')`)
@Index('principal_name_key', { synchronize: false })
export class PrincipalAccount {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Unique, whatever its case. */
  @Column('text')
  name: string;

  @Column('text')
  kind: PrincipalKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
