/** The audit tables: rows are only ever added (triggers refuse UPDATE, DELETE and TRUNCATE, and so do the grants below). */
export const AUDIT_APPEND_ONLY_TABLES = ['audit_log', 'audit_chain', 'audit_checkpoint', 'audit_signing_key'] as const;

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}": expected a plain lower-case SQL name`);
  return name;
}

/**
 * What the database owner (who runs the migrations) grants to the role the API, the
 * worker and the CLI connect as: everything on the application's tables, except changing
 * or removing audit rows. `audit_queue` is the sequencer's work list, not an audit record:
 * the role deletes its rows once linked (an entry taken off the queue by anyone else is
 * reported late by audit:verify). Run again after a migration that adds tables (README,
 * "Database roles").
 */
export function applicationRoleGrants(role: string, database: string): string[] {
  const r = ident(role);
  return [
    `GRANT CONNECT ON DATABASE ${ident(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON ${AUDIT_APPEND_ONLY_TABLES.join(', ')} FROM ${r}`,
  ];
}
