import { Client } from 'pg';

/** Returns the URL with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Another process created the database between our check and our CREATE: PostgreSQL says
 * 42P04 (duplicate_database) when it saw it committed, or 23505 (unique_violation) on
 * pg_database_datname_index when both CREATEs ran at once (two first starts).
 */
export function createdMeanwhile(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err.code === '42P04') return true;
  return err.code === '23505' && (err.constraint === 'pg_database_datname_index' || /pg_database_datname_index/.test(err.message ?? ''));
}

/** Creates the database named in the URL when it does not exist yet (developer machines, tests); true when this call created it. */
export async function ensureDatabase(url: string, template?: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
    } catch (e) {
      if (!createdMeanwhile(e)) throw e;
      return false;
    }
    return true;
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
