import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * The published CRLs live in PostgreSQL, so that an API on any host serves them without a
 * disk shared with the signer: each publication keeps the issuer certificate it was signed
 * under, and its DER bytes in parts of at most 4 MiB (a national full CRL is about 40 MB;
 * parts keep both the writer's and the reader's buffers small). The parts are stored
 * uncompressed (EXTERNAL): a signed CRL is written once and read whole.
 */
export class CrlInDatabase1764200200000 implements MigrationInterface {
  name = 'CrlInDatabase1764200200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE crl_publication ADD COLUMN issuer_certificate text`);
    await q.query(`
      CREATE TABLE crl_publication_part (
        crl_number bigint NOT NULL,
        part integer NOT NULL,
        bytes bytea NOT NULL,
        CONSTRAINT crl_publication_part_pkey PRIMARY KEY (crl_number, part),
        CONSTRAINT crl_publication_part_crl_number_fkey FOREIGN KEY (crl_number) REFERENCES crl_publication(crl_number) ON DELETE CASCADE,
        CONSTRAINT crl_publication_part_part_check CHECK (part >= 0)
      )`);
    await q.query(`ALTER TABLE crl_publication_part ALTER COLUMN bytes SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'crl_publication_part', what: 'the CRL history (the published CRLs)' },
      { table: 'crl_publication', what: "the CRLs' issuer certificates", where: 'issuer_certificate IS NOT NULL' },
    ]);
    await q.query(`DROP TABLE IF EXISTS crl_publication_part`);
    await q.query(`ALTER TABLE crl_publication DROP COLUMN IF EXISTS issuer_certificate`);
  }
}
