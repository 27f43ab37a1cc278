import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DROPPED_COLUMNS_WITHOUT_LOSS, DROPPED_WITHOUT_LOSS } from '../../../migrations/data-loss';

const DIR = join(__dirname, '..', '..', '..', 'migrations');

/** Each migration file's down step (its text), the tables its refuseDataLoss names, and what it drops. */
function downSteps() {
  return readdirSync(DIR)
    .filter((f) => /^\d{13}-\w+\.ts$/.test(f))
    .map((file) => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const down = text.slice(text.indexOf('async down('));
      const guard = /refuseDataLoss\(q, this\.name, \[([\s\S]*?)\]\);/.exec(down)?.[1] ?? '';
      const guarded = [...guard.matchAll(/table: '(\w+)'/g)].map((m) => m[1]);
      // `DROP TABLE x`, and the loops `for (const t of ['a', 'b']) ... DROP TABLE ${t}`.
      const dropped = [...down.matchAll(/DROP TABLE (?:IF EXISTS )?([a-z_][a-z0-9_]*)/g)].map((m) => m[1]);
      for (const loop of down.matchAll(/for \(const t of \[([^\]]*)\]\)[\s\S]*?DROP TABLE (?:IF EXISTS )?\$\{t\}/g)) {
        dropped.push(...[...loop[1].matchAll(/'(\w+)'/g)].map((m) => m[1]));
      }
      // `ALTER TABLE x ... DROP COLUMN c` (a column named by a template counts as the table's).
      const columns: Array<{ table: string; column: string }> = [];
      for (const stmt of down.split('q.query(').slice(1)) {
        const table = /^`\s*ALTER TABLE ([a-z_][a-z0-9_]*)/.exec(stmt)?.[1];
        if (!table || !stmt.includes('DROP COLUMN')) continue;
        const named = [...stmt.matchAll(/DROP COLUMN (?:IF EXISTS )?(\$\{\w+\}|[a-z_][a-z0-9_]*)/g)].map((m) => m[1]);
        for (const column of named) columns.push({ table, column });
      }
      return { file, guarded, dropped, columns };
    });
}

describe('down steps that would destroy data', () => {
  const steps = downSteps();

  it('are found (the reading of the files finds the drops it checks)', () => {
    expect(steps.length).toBeGreaterThanOrEqual(22);
    const foundation = steps.find((s) => s.file.includes('Foundation'))!;
    expect(foundation.dropped).toEqual(expect.arrayContaining(['audit_log', 'rpps_professional']));
    expect(steps.find((s) => s.file.includes('-Opposition'))!.dropped).toEqual(expect.arrayContaining(['opposition', 'crl_publication']));
    expect(steps.flatMap((s) => s.columns).length).toBeGreaterThan(5);
  });

  it('guard the audit trail, the oppositions and the CRL history', () => {
    const guarded = new Set(steps.flatMap((s) => s.guarded));
    for (const table of ['audit_log', 'audit_checkpoint', 'opposition', 'crl_publication', 'crl_publication_part', 'card', 'card_order']) {
      expect(guarded).toContain(table);
    }
  });

  it.each(steps.map((s) => [s.file, s] as const))('%s: every table it drops is guarded or holds no business data', (_f, step) => {
    const unguarded = step.dropped.filter((t) => !step.guarded.includes(t) && !(t in DROPPED_WITHOUT_LOSS));
    expect(unguarded).toEqual([]);
  });

  it.each(steps.map((s) => [s.file, s] as const))('%s: every column it drops is guarded or holds no business data', (_f, step) => {
    const unguarded = step.columns.filter(
      (c) => !step.guarded.includes(c.table) && !(`${c.table}.${c.column}` in DROPPED_COLUMNS_WITHOUT_LOSS),
    );
    expect(unguarded).toEqual([]);
  });
});
