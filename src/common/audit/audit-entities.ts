/**
 * The names of the things audit entries are about (`audit_log.entity`), the one list the
 * code writes and GET /api/v1/audit?entity= accepts (README, "Audit trail"): an entry's
 * `entityId` is the id of a row of that kind.
 */
export const AUDIT_ENTITIES = [
  'api_token',
  'card',
  'card_order',
  'console_account',
  'crl',
  'encoder_station',
  'job_run',
  'mailing_batch',
  'mailing_letter',
  'principal',
  'renewal_run',
  'rpps_event',
  'rpps_identifier_migration',
  'rpps_import',
  'vault_key',
] as const;

export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
