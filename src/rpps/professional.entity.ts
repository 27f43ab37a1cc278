import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A professional of the current registry (one row per national identifier). */
@Entity('rpps_professional')
@Index('rpps_professional_name_idx', ['lastName', 'firstName'])
// The name search's partial indexes (registry-diff.sql.ts, createNameKeyIndexesSql): made by the migration.
@Index('rpps_professional_name_key_idx', { synchronize: false })
@Index('rpps_professional_name_key_first_idx', { synchronize: false })
export class Professional {
  @PrimaryColumn('text', { name: 'national_id' })
  nationalId: string;

  @Column('char', { name: 'id_type', length: 1 })
  idType: string;

  @Column('text')
  identifier: string;

  @Column('text', { name: 'civility_practice_code', default: '' })
  civilityPracticeCode: string;

  @Column('text', { name: 'civility_code', default: '' })
  civilityCode: string;

  @Column('text', { name: 'last_name' })
  lastName: string;

  @Column('text', { name: 'first_name', default: '' })
  firstName: string;

  @Column('text', { name: 'situations_digest' })
  situationsDigest: string;

  /** Digest of the professions with their category and specialty. */
  @Column('text', { name: 'professions_digest' })
  professionsDigest: string;

  @Column('uuid', { name: 'first_import_id' })
  firstImportId: string;

  @Column('uuid', { name: 'last_import_id' })
  lastImportId: string;

  @Column('timestamptz', { name: 'ceased_at', nullable: true })
  ceasedAt: Date | null;

  @Column('text', { name: 'migrated_to', nullable: true })
  migratedTo: string | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  /** The name folded, "last first" (src/rpps/name-key.ts): what a name search matches, and its order. Kept by the import. */
  @Column({ type: 'text', name: 'name_key', collation: 'C', default: '' })
  nameKey: string;

  /** The name folded, "first last": what a search of several words also matches. Kept by the import. */
  @Column({ type: 'text', name: 'name_key_first', collation: 'C', default: '' })
  nameKeyFirst: string;
}

@Entity('rpps_profession')
@Index('rpps_profession_code_idx', ['professionCode'])
export class Profession {
  @PrimaryColumn('text', { name: 'national_id' })
  nationalId: string;

  @PrimaryColumn('text', { name: 'profession_code' })
  professionCode: string;

  @Column('text', { name: 'category_code', default: '' })
  categoryCode: string;

  @Column('text', { name: 'specialty_type_code', default: '' })
  specialtyTypeCode: string;

  @Column('text', { name: 'specialty_code', default: '' })
  specialtyCode: string;
}

/**
 * One practice situation (one line of the extract), with the line as read. The table is
 * rebuilt from each applied extract (see registry-diff.sql.ts), so nothing refers to its rows.
 */
@Entity('rpps_situation')
export class Situation {
  @PrimaryColumn('text', { name: 'national_id' })
  nationalId: string;

  @PrimaryColumn('integer', { name: 'source_line' })
  sourceLine: number;

  @Column('text', { name: 'profession_code' })
  professionCode: string;

  @Column('text', { name: 'situation_hash' })
  situationHash: string;

  @Column('text', { name: 'mode_code', default: '' }) modeCode: string;
  @Column('text', { name: 'sector_code', default: '' }) sectorCode: string;
  @Column('text', { default: '' }) siret: string;
  @Column('text', { default: '' }) siren: string;
  @Column('text', { name: 'finess_site', default: '' }) finessSite: string;
  @Column('text', { name: 'finess_legal', default: '' }) finessLegal: string;
  @Column('text', { name: 'structure_id', default: '' }) structureId: string;
  @Column('text', { name: 'site_name', default: '' }) siteName: string;
  @Column('text', { name: 'street_number', default: '' }) streetNumber: string;
  @Column('text', { name: 'street_type_label', default: '' }) streetTypeLabel: string;
  @Column('text', { name: 'street_label', default: '' }) streetLabel: string;
  @Column('text', { name: 'postal_code', default: '' }) postalCode: string;
  @Column('text', { default: '' }) city: string;
  @Column('text', { default: '' }) cedex: string;
  /** Complément destinataire, Complément point géographique, Indice répétition voie, Mention distribution, Code pays, Libellé pays. */
  @Column('text', { name: 'recipient_complement', default: '' }) recipientComplement: string;
  @Column('text', { name: 'geo_complement', default: '' }) geoComplement: string;
  @Column('text', { name: 'repetition_index', default: '' }) repetitionIndex: string;
  @Column('text', { name: 'distribution_mention', default: '' }) distributionMention: string;
  @Column('text', { name: 'country_code', default: '' }) countryCode: string;
  @Column('text', { name: 'country_label', default: '' }) countryLabel: string;
  @Column('text', { name: 'registration_authority', default: '' }) registrationAuthority: string;

  @Column('text', { name: 'raw_line' })
  rawLine: string;
}
