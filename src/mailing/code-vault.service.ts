import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { rowsReturned } from '../common/database/returning';
import { isUuid } from '../common/database/uuid';
import { keyOpens, openCodes, rewrapCodes, SealedCodes, sealCodes } from './code-seal';
import { codesGone, whyNoCodes } from './codes-gone';
import { MailingError } from './mailing.errors';
import { CardCodes, drawCodes } from './pin-codes';
import type { VaultKeyring } from './vault-keys';

export type { CardCodes } from './pin-codes';

/** Where the vault gets its keyring (code-vault.module.ts reads the key file again when it changes). */
export interface VaultKeySource {
  get(): Promise<VaultKeyring>;
}

export const VAULT_KEYS = Symbol('VAULT_KEYS');

export interface RotationResult {
  /** Rows whose data key this run wrapped again under the current key. */
  rewrapped: number;
  /** Rows already under the current key when the run started. */
  alreadyCurrent: number;
  /**
   * Rows still under an older key when the run ended: sealed meanwhile by a process that had not
   * yet read the new key file. Another run re-wraps them; until it is 0 the old keys must stay.
   */
  remaining: number;
  currentKeyId: string;
}

interface SealedRow {
  order_id: string;
  destroyed_at: Date | null;
  destroyed_reason: string | null;
  key_id: string;
  wrapped_key: Buffer;
  wrap_iv: Buffer;
  sealed_codes: Buffer;
  codes_iv: Buffer;
}

const SEALED_COLUMNS = 'order_id, key_id, wrapped_key, wrap_iv, sealed_codes, codes_iv, destroyed_at, destroyed_reason';
const ROTATION_CHUNK = 1000;
/** Orders per key id opened when a keyring is checked: a key is wrong when none of them opens (one damaged row is not). */
const KEY_CHECK_SAMPLES = 3;

/** The codes of `orderId` are gone: when and why, never what they were. */
function codesDestroyed(orderId: string, r: Pick<SealedRow, 'destroyed_at' | 'destroyed_reason'>): MailingError {
  return new MailingError(
    'codes_destroyed',
    `the codes of order ${orderId} were destroyed on ${r.destroyed_at?.toISOString()} (${r.destroyed_reason}): the holder asks for a new card`,
    409,
    { orderId },
  );
}

const sealedOf = (r: SealedRow): SealedCodes => ({
  keyId: r.key_id,
  wrappedKey: r.wrapped_key,
  wrapIv: r.wrap_iv,
  ciphertext: r.sealed_codes,
  iv: r.codes_iv,
});

/** Orders sealed under one key id. */
interface KeyCount {
  key_id: string;
  n: number;
}

/** The keyring lacks key ids in use: names them and counts their orders (never a code or a key). */
function keysMissing(missing: KeyCount[], keyring: VaultKeyring): MailingError {
  const each = missing.map((k) => `${k.n} ${k.n === 1 ? 'order has' : 'orders have'} codes sealed under vault key "${k.key_id}"`);
  const those = missing.length === 1 ? 'that key' : 'those keys';
  return new MailingError(
    'vault_key_missing',
    `${each.join('; ')}, which ${missing.length === 1 ? 'is' : 'are'} not configured: the vault opens and issues no codes until ${those} ` +
      `${missing.length === 1 ? 'is' : 'are'} back in VAULT_KEY_FILE (before the current one, "${keyring.current.id}"); ` +
      'vault:rotate then re-wraps them to the current key',
    500,
    { keyIds: missing.map((k) => k.key_id), orders: Object.fromEntries(missing.map((k) => [k.key_id, k.n])) },
  );
}

/** Key ids configured with bytes that open none of the orders sealed under them. */
function keysWrong(ids: string[]): MailingError {
  return new MailingError(
    'vault_key_wrong',
    `VAULT_KEY_FILE holds vault key ${ids.map((id) => `"${id}"`).join(', ')} with other bytes than the key that sealed the codes ` +
      `under ${ids.length === 1 ? 'that id' : 'those ids'}: the vault opens no codes until the right key is configured`,
    500,
    { keyIds: ids },
  );
}

const isForeignKeyViolation = (e: unknown) => {
  const err = e as { code?: string; driverError?: { code?: string } };
  return (err.code ?? err.driverError?.code) === '23503';
};

/**
 * The PIN/PUK vault (domain.md, "PIN and unblocking code"): codes drawn from the CSPRNG when
 * an order is approved, kept only sealed (code-seal.ts) in `order_codes`, and opened only at
 * the moment of use, by order id. Nothing here logs, audits or returns a code except
 * `codesForPersonalization`, to its caller.
 */
@Injectable()
export class CodeVaultService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    @Inject(VAULT_KEYS) private readonly keys: VaultKeySource,
  ) {}

  /** The keyring last found to hold every key id in use in `order_codes`; another one (a reload) is checked again. */
  private covering: VaultKeyring | null = null;

  /**
   * Reads the master keys now and checks that they open every order's codes: throws the vault's
   * error when they are missing or unusable, or when codes are sealed under a key id the keyring
   * does not hold (naming those ids and how many orders, never a code). The worker calls it at
   * start-up, a station before taking work.
   */
  async checkKeys(): Promise<void> {
    await this.keyring();
  }

  /**
   * The keyring, once it is known to hold every key id in use (the vault's calls all go through
   * here). A keyring found short fails every call, checked again each time, until the key file
   * holds the missing keys again (VaultKeys reads it again when it changes) or their rows are
   * re-wrapped by a process that holds them.
   */
  private async keyring(em?: EntityManager): Promise<VaultKeyring> {
    const keyring = await this.keys.get();
    if (keyring === this.covering) return keyring;
    const { missing, wrong } = await this.keyIdsNotOpening(em ?? this.ds.manager, keyring);
    if (missing.length || wrong.length) {
      this.covering = null;
      throw missing.length ? keysMissing(missing, keyring) : keysWrong(wrong);
    }
    this.covering = keyring;
    return keyring;
  }

  /**
   * The key ids in `order_codes` that `keyring` does not hold, with their orders counted, and those
   * it holds with other bytes (none of a few orders sealed under the id opens: a wrong key file,
   * which would otherwise fail every order as if each one's codes were damaged). The ids in use
   * are found by walking the key id index (a step per distinct id, not a row each).
   */
  private async keyIdsNotOpening(em: EntityManager, keyring: VaultKeyring): Promise<{ missing: KeyCount[]; wrong: string[] }> {
    const used: Array<{ key_id: string }> = await em.query(
      `WITH RECURSIVE k(key_id) AS (
         (SELECT key_id FROM order_codes ORDER BY key_id LIMIT 1)
         UNION ALL
         SELECT (SELECT c.key_id FROM order_codes c WHERE c.key_id > k.key_id ORDER BY c.key_id LIMIT 1) FROM k WHERE k.key_id IS NOT NULL
       )
       SELECT key_id FROM k WHERE key_id IS NOT NULL`,
    );
    const ids = used.map((r) => r.key_id);
    const absent = ids.filter((id) => !keyring.keys.has(id));
    const missing: KeyCount[] = absent.length
      ? await em.query(
          `SELECT key_id, count(*)::int AS n FROM order_codes WHERE key_id = ANY($1::text[]) GROUP BY key_id ORDER BY key_id`,
          [absent],
        )
      : [];
    const held = ids.filter((id) => keyring.keys.has(id));
    const samples: SealedRow[] = held.length
      ? await em.query(
          `SELECT s.* FROM unnest($1::text[]) AS k(id),
                  LATERAL (SELECT ${SEALED_COLUMNS} FROM order_codes WHERE key_id = k.id LIMIT ${KEY_CHECK_SAMPLES}) s`,
          [held],
        )
      : [];
    const wrong = held.filter((id) => {
      const mine = samples.filter((r) => r.key_id === id);
      return mine.length > 0 && !mine.some((r) => keyOpens(r.order_id, sealedOf(r), keyring.keys));
    });
    return { missing, wrong };
  }

  /**
   * Draws and seals codes for each of `orderIds` that has none yet, in the caller's
   * transaction, in one statement; an order that already has codes keeps them (a redelivered
   * approval, two workers at once). Returns the orders given codes by this call.
   */
  async issue(em: EntityManager, orderIds: string[]): Promise<string[]> {
    const bad = orderIds.find((id) => !isUuid(id));
    if (bad !== undefined) throw new MailingError('vault_order_unknown', `no order ${bad}: not an order id`, 400);
    // The order id is authenticated with the codes: always in PostgreSQL's spelling (lower case).
    const ids = [...new Set(orderIds.map((id) => id.toLowerCase()))];
    if (!ids.length) return [];
    const { current } = await this.keyring(em);
    const have: Array<{ order_id: string }> = await em.query(`SELECT order_id FROM order_codes WHERE order_id = ANY($1::uuid[])`, [ids]);
    const had = new Set(have.map((r) => r.order_id));
    const missing = ids.filter((id) => !had.has(id));
    if (!missing.length) return [];
    const sealed = missing.map((id) => sealCodes(id, drawCodes(), current));
    try {
      const rows: Array<{ order_id: string }> = await em.query(
        `INSERT INTO order_codes (order_id, key_id, wrapped_key, wrap_iv, sealed_codes, codes_iv)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[])
         ON CONFLICT (order_id) DO NOTHING
         RETURNING order_id`,
        [
          missing,
          sealed.map((s) => s.keyId),
          sealed.map((s) => s.wrappedKey),
          sealed.map((s) => s.wrapIv),
          sealed.map((s) => s.ciphertext),
          sealed.map((s) => s.iv),
        ],
      );
      return rows.map((r) => r.order_id);
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      throw new MailingError('vault_order_unknown', `no codes issued: one of the orders ${missing.join(', ')} does not exist`, 404);
    }
  }

  /**
   * The codes of an order, opened, for writing them on its card. An order without codes yet
   * (approved before the vault existed, or its approval not yet handled) gets them first.
   */
  async codesForPersonalization(orderId: string): Promise<CardCodes> {
    if (!isUuid(orderId)) throw new MailingError('vault_order_unknown', `no order ${orderId}: not an order id`, 400);
    const id = orderId.toLowerCase();
    let row = await this.sealedRow(id);
    if (!row) {
      await this.ds.transaction((em) => this.issue(em, [id]));
      row = await this.sealedRow(id);
      if (!row) throw new MailingError('vault_unreadable', `the codes of order ${id} were issued but cannot be found`, 500);
    }
    if (row.destroyed_at) throw codesDestroyed(id, row);
    let { keys } = await this.keyring();
    if (!keys.has(row.key_id as string)) {
      // Sealed since the keyring was checked, by a process holding a key this one does not: the keyring is short.
      this.covering = null;
      ({ keys } = await this.keyring());
    }
    return openCodes(id, sealedOf(row), keys);
  }

  /**
   * The codes of `orderIds`, opened, for their PIN letters: never issued here (a letter prints
   * the codes written on the card, or none). An order without codes, or whose codes were
   * destroyed, is in `missing` with why.
   */
  async codesForLetters(orderIds: string[]): Promise<{ codes: Map<string, CardCodes>; missing: Map<string, string> }> {
    const ids = [...new Set(orderIds.map((id) => id.toLowerCase()))];
    const codes = new Map<string, CardCodes>();
    const missing = new Map<string, string>();
    if (!ids.length) return { codes, missing };
    const rows: SealedRow[] = await this.ds.query(`SELECT ${SEALED_COLUMNS} FROM order_codes WHERE order_id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.order_id, r]));
    let { keys } = await this.keyring();
    for (const id of ids) {
      const row = byId.get(id);
      if (!row || row.destroyed_at) missing.set(id, whyNoCodes({ issued: !!row, destroyedReason: row?.destroyed_reason ?? null }));
      else {
        if (!keys.has(row.key_id)) {
          this.covering = null;
          ({ keys } = await this.keyring());
        }
        codes.set(id, openCodes(id, sealedOf(row), keys));
      }
    }
    return { codes, missing };
  }

  /**
   * Which of `orderIds` have no codes to print (never issued, or destroyed), each with why, as
   * codesForLetters says it; read from the database alone: nothing is opened.
   */
  async withoutCodes(orderIds: string[]): Promise<Map<string, string>> {
    const gone = await codesGone(this.ds, orderIds);
    return new Map([...gone].map(([id, g]) => [id, whyNoCodes(g)]));
  }

  /**
   * Destroys the codes of `orderIds` in the caller's transaction: the sealed bytes erased,
   * when and why kept, one audit entry per order whose codes this call destroyed (none for
   * codes already destroyed or never issued). Returns those orders.
   */
  async destroy(em: EntityManager, orderIds: string[], reason: string, actor: string): Promise<string[]> {
    const ids = [...new Set(orderIds.filter(isUuid).map((id) => id.toLowerCase()))];
    if (!ids.length) return [];
    const rows = await rowsReturned<{ order_id: string }>(
      em,
      `UPDATE order_codes
          SET key_id = NULL, wrapped_key = NULL, wrap_iv = NULL, sealed_codes = NULL, codes_iv = NULL,
              destroyed_at = now(), destroyed_reason = $2
        WHERE order_id = ANY($1::uuid[]) AND destroyed_at IS NULL
        RETURNING order_id`,
      [ids, reason],
    );
    await this.audit.appendMany(
      em,
      rows.map((r) => ({ actor, action: 'codes.destroy', entity: 'card_order' as const, entityId: r.order_id, details: { reason } })),
    );
    return rows.map((r) => r.order_id);
  }

  /**
   * Wraps again, under the current key, the data key of every order sealed under an older
   * one, 1000 orders a transaction (an interrupted run keeps what it did; a rerun goes on).
   * Refuses to start while codes are sealed under a key that is no longer configured.
   */
  async rotate(o: { actor: string; onProgress?: (done: number, total: number) => void; chunkSize?: number }): Promise<RotationResult> {
    const keyring = await this.keys.get();
    const { current, keys } = keyring;
    const byKey: KeyCount[] = await this.ds.query(
      `SELECT key_id, count(*)::int AS n FROM order_codes WHERE key_id IS NOT NULL GROUP BY key_id ORDER BY key_id`,
    );
    const unknown = byKey.filter((k) => !keys.has(k.key_id));
    if (unknown.length) throw keysMissing(unknown, keyring);
    const alreadyCurrent = byKey.find((k) => k.key_id === current.id)?.n ?? 0;
    const total = byKey.reduce((sum, k) => sum + (k.key_id === current.id ? 0 : k.n), 0);
    const chunkSize = o.chunkSize ?? ROTATION_CHUNK;
    let rewrapped = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    o.onProgress?.(0, total);
    for (;;) {
      const chunk = await this.ds.transaction(async (em) => {
        const rows: SealedRow[] = await em.query(
          `SELECT ${SEALED_COLUMNS} FROM order_codes WHERE key_id <> $1 AND order_id > $2 ORDER BY order_id LIMIT $3 FOR UPDATE`,
          [current.id, after, chunkSize],
        );
        if (!rows.length) return { n: 0, last: null as string | null };
        const next = rows.map((r) => rewrapCodes(r.order_id, sealedOf(r), keys, current));
        const updated = await rowsReturned(
          em,
          `UPDATE order_codes c SET key_id = u.key_id, wrapped_key = u.wrapped_key, wrap_iv = u.wrap_iv, rewrapped_at = now()
             FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::text[]) AS u(order_id, key_id, wrapped_key, wrap_iv, old_key_id)
            WHERE c.order_id = u.order_id AND c.key_id = u.old_key_id
           RETURNING c.order_id`,
          [
            rows.map((r) => r.order_id),
            next.map((s) => s.keyId),
            next.map((s) => s.wrappedKey),
            next.map((s) => s.wrapIv),
            rows.map((r) => r.key_id),
          ],
        );
        return { n: updated.length, last: rows[rows.length - 1].order_id };
      });
      if (!chunk.last) break;
      rewrapped += chunk.n;
      after = chunk.last;
      o.onProgress?.(Math.min(rewrapped, total), total);
    }
    const [{ remaining }]: Array<{ remaining: number }> = await this.ds.query(
      `SELECT count(*)::int AS remaining FROM order_codes WHERE key_id <> $1`,
      [current.id],
    );
    const result: RotationResult = { rewrapped, alreadyCurrent, remaining, currentKeyId: current.id };
    await this.ds.transaction((em) =>
      this.audit.append(em, {
        actor: o.actor,
        action: 'vault.rotate',
        entity: 'vault_key',
        entityId: current.id,
        details: { rewrapped, alreadyCurrent, remaining, before: Object.fromEntries(byKey.map((k) => [k.key_id, k.n])) },
      }),
    );
    return result;
  }

  private async sealedRow(orderId: string): Promise<SealedRow | undefined> {
    const [row]: SealedRow[] = await this.ds.query(`SELECT ${SEALED_COLUMNS} FROM order_codes WHERE order_id = $1`, [orderId]);
    return row;
  }
}
