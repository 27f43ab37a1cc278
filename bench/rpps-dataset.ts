/**
 * The national-size registry extract of the benchmarks that need one (`rpps`, `search`):
 * generated once by the project's generator (bench/generators/rpps-generator.ts) into
 * BENCH_DIR, named by layout, size and seed, and reused while its metadata matches the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRegistryDay1, type RegistryDay1Stats } from './generators/rpps-generator';

export const DEFAULT_PERSONS = 1_300_000;
export const DEFAULT_SEED = 20261125;
export const DAY1_STAMP = '202601050600';

export interface Day1Extract {
  stats: RegistryDay1Stats;
  /** the files to give `rpps:import` (with the SavoirFaire file for layout 56) */
  files: string[];
  /** where the next day's files of this set go */
  setDir: string;
  /** seconds the generation took, null when the files were reused */
  generatedSeconds: number | null;
}

export function exists(file: string): boolean {
  try {
    fs.accessSync(file);
    return true;
  } catch {
    return false;
  }
}

export function readMeta<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * The day-1 extract of `persons` people (seed, layout) under `dir`, generated unless already
 * there. `onRegenerate` runs before a new generation (the rpps bench drops its next day, derived
 * from day 1).
 */
export async function day1Extract(opts: {
  dir: string;
  persons: number;
  seed: number;
  layout: 52 | 56;
  onRegenerate?: (setDir: string) => void;
}): Promise<Day1Extract> {
  const setDir = path.join(opts.dir, `rpps-l${opts.layout}-p${opts.persons}-s${opts.seed}`);
  fs.mkdirSync(setDir, { recursive: true });
  const d1 = path.join(setDir, `PS_LibreAcces_Personne_activite_${DAY1_STAMP}.txt`);
  const d1sf = path.join(setDir, `PS_LibreAcces_SavoirFaire_${DAY1_STAMP}.txt`);
  const d1meta = path.join(setDir, 'day1.meta.json');
  const withSf = opts.layout === 56;
  const files = withSf ? [d1, d1sf] : [d1];

  const day1 = readMeta<RegistryDay1Stats>(d1meta);
  const day1Ok =
    day1 !== null &&
    day1.persons === opts.persons &&
    day1.seed === opts.seed &&
    day1.layout === opts.layout &&
    exists(d1) &&
    fs.statSync(d1).size === day1.bytes &&
    (!withSf || exists(d1sf));
  if (day1Ok) {
    console.log(`reusing day 1: ${d1} (${day1.lines} lines)`);
    return { stats: day1, files, setDir, generatedSeconds: null };
  }
  fs.rmSync(d1meta, { force: true });
  opts.onRegenerate?.(setDir);
  console.log(`generating day 1: ${opts.persons} persons, layout ${opts.layout}, seed ${opts.seed} → ${d1}`);
  const s = await generateRegistryDay1({
    persons: opts.persons,
    seed: opts.seed,
    layout: opts.layout,
    out: `${d1}.tmp`,
    savoirFaireOut: withSf ? `${d1sf}.tmp` : undefined,
  });
  fs.renameSync(`${d1}.tmp`, d1);
  if (withSf) fs.renameSync(`${d1sf}.tmp`, d1sf);
  const stats = { ...s, out: d1, savoirFaireOut: withSf ? d1sf : undefined };
  fs.writeFileSync(d1meta, JSON.stringify(stats, null, 1));
  console.log(
    `  ${s.lines} lines, ${(s.bytes / 1024 ** 2).toFixed(0)} MiB in ${s.seconds.toFixed(1)}s ` +
      `(${Math.round(s.lines / s.seconds)} lines/s)`,
  );
  return { stats, files, setDir, generatedSeconds: s.seconds };
}
