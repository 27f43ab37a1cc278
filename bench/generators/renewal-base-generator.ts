import type { Client } from 'pg';

/**
 * A registry of `cards` professionals (one profession, one site each) and one card each,
 * written in SQL: the first `due` cards end within 90 days of `asOf` (some already expired),
 * the next `lostLookingDue` too but were opposed for loss (never renewed), the rest end years
 * later. Used by `npm run bench -- renewals` and by the fault tier's renewal sweep.
 */
export async function generateRenewalBase(
  pg: Client,
  o: { cards: number; due: number; lostLookingDue: number; asOf: string },
): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.asOf)) throw new Error(`asOf "${o.asOf}": expected YYYY-MM-DD`);
  await pg.query(`SET maintenance_work_mem = '512MB'`);
  await pg.query(
    `INSERT INTO rpps_import (id, status, actor, as_of) VALUES ('00000000-0000-0000-0000-000000000001', 'baseline', 'bench', '2026-11-25')`,
  );
  await pg.query(
    `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_code, last_name, first_name, situations_digest,
                                    professions_digest, first_import_id, last_import_id)
     SELECT '8' || lpad(i::text, 11, '0'), '8', lpad(i::text, 11, '0'), 'M', 'NOM' || (i % 5000), 'PRENOM' || (i % 300),
            '0:1', '0:1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001'
       FROM generate_series(1, $1) i`,
    [o.cards],
  );
  await pg.query(
    `INSERT INTO rpps_profession (national_id, profession_code, category_code)
     SELECT '8' || lpad(i::text, 11, '0'), (ARRAY['10','21','40','50','60','70'])[1 + i % 6], 'C' FROM generate_series(1, $1) i`,
    [o.cards],
  );
  await pg.query(
    `INSERT INTO rpps_situation (national_id, profession_code, situation_hash, mode_code, sector_code, siret, structure_id,
                                 site_name, street_number, street_label, postal_code, city, source_line, raw_line)
     SELECT '8' || lpad(i::text, 11, '0'), (ARRAY['10','21','40','50','60','70'])[1 + i % 6], '0', 'L', 'SA07',
            '300000000' || lpad((i % 100000)::text, 5, '0'), 'S300000000' || lpad((i % 100000)::text, 5, '0'),
            'CABINET ' || (i % 1000), (i % 300)::text, 'RUE DE LA PAIX', '75011', 'PARIS', i + 1, 'raw line ' || i
       FROM generate_series(1, $1) i`,
    [o.cards],
  );
  // Cards: the first `due` end within the window (some already expired), the next 2,000 too but
  // were opposed for loss, the rest end years later.
  await pg.query(
    `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from,
                       valid_until, state, source, opposed_at, opposition_reason)
     SELECT lpad((2900000000 + i)::text, 10, '0'), 'CPS', 'CPS3', '8' || lpad(i::text, 11, '0'), '8' || lpad(i::text, 11, '0'),
            (ARRAY['10','21','40','50','60','70'])[1 + i % 6],
            vu - interval '3 years' + interval '1 day', vu,
            CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN 'opposed' ELSE 'active' END, 'import',
            CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN now() END,
            CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN 'loss' END
       FROM generate_series(1, $1) i,
            LATERAL (SELECT CASE WHEN i <= $2::int + $3::int THEN date '${o.asOf}' + (i % 120) - 30
                                 ELSE date '${o.asOf}' + 200 + (i % 900) END AS vu) d`,
    [o.cards, o.due, o.lostLookingDue],
  );
}
