/**
 * The console's first-load JavaScript, as built in web/dist: the module scripts and
 * `modulepreload` links of index.html, and the modules they import statically (Vite lists
 * those as modulepreload links already; the chunks' own leading imports are followed too, so
 * that a link Vite did not write is still counted). Dynamic `import()` is not first load.
 * Each file counted once; sizes raw and gzipped (zlib, level 9), in kB of 1,000 bytes as Vite reports them.
 * Pure file reading: used by `npm run bench -- console-bundle` and the browser tier's budget.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The console's base path: the URLs of index.html start with it (see web/vite.config.ts). */
export const CONSOLE_BASE = '/console/';
/** The budget of issue 12: first-load JavaScript, gzipped. */
export const FIRST_LOAD_JS_BUDGET_GZIP_KB = 350;

export interface BundleFile {
  /** its path under the dist directory, e.g. `assets/index-abc.js` */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface FirstLoadJs {
  files: BundleFile[];
  bytes: number;
  gzipBytes: number;
  /** gzipBytes in kB (1,000 bytes), one decimal */
  gzipKb: number;
}

/** The attributes of each `<tag ...>` of `html`, names lower-cased (values unquoted, entities left as they are). */
function tags(html: string, name: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const m of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
      attrs[a[1].toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    found.push(attrs);
  }
  return found;
}

/** The JavaScript URLs index.html makes the browser fetch at once: module scripts with a src, modulepreload links. */
export function entryScriptUrls(indexHtml: string): string[] {
  const scripts = tags(indexHtml, 'script')
    .filter((a) => a.src && a.type === 'module')
    .map((a) => a.src);
  const preloads = tags(indexHtml, 'link')
    .filter((a) => a.href && a.rel?.split(/\s+/).includes('modulepreload'))
    .map((a) => a.href);
  return [...scripts, ...preloads];
}

/**
 * The relative specifiers of the static imports a chunk starts with (`import{a as b}from"./x.js";`,
 * `import"./y.js";`): bundlers hoist them to the top; what follows is code, never read for imports.
 */
export function leadingStaticImports(code: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'])([^"']+)\1\s*;?/;
  let rest = code;
  for (;;) {
    const m = statement.exec(rest);
    if (!m) return out;
    out.push(m[2]);
    rest = rest.slice(m[0].length);
  }
}

/** The path under `distDir` of a URL of index.html (under CONSOLE_BASE), or null for another origin or path. */
function distPathOf(url: string): string | null {
  if (/^[a-z]+:\/\//i.test(url) || url.startsWith('//')) return null;
  const path = url.split(/[?#]/)[0];
  if (path.startsWith(CONSOLE_BASE)) return path.slice(CONSOLE_BASE.length);
  if (path.startsWith('/')) return null;
  return posix.normalize(path);
}

/** A file of the console built in `distDir`, with its size raw and gzipped (as Vite reports it). */
export function bundleFile(distDir: string, path: string): BundleFile {
  const content = readFileSync(join(distDir, path));
  return { path, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

/** The first-load JavaScript of the console built in `distDir` (web/dist); throws when index.html names a file that is missing. */
export function firstLoadJs(distDir: string): FirstLoadJs {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const queue = entryScriptUrls(html).map((u) => {
    const p = distPathOf(u);
    if (p === null) throw new Error(`index.html loads ${u}, outside ${CONSOLE_BASE}: it cannot be measured`);
    return p;
  });
  const seen = new Set<string>();
  const files: BundleFile[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    files.push(bundleFile(distDir, path));
    for (const spec of leadingStaticImports(readFileSync(join(distDir, path), 'utf8'))) {
      if (spec.startsWith('./') || spec.startsWith('../')) queue.push(posix.normalize(posix.join(posix.dirname(path), spec)));
      else if (spec.startsWith(CONSOLE_BASE)) queue.push(spec.slice(CONSOLE_BASE.length));
    }
  }
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  const gzipBytes = files.reduce((n, f) => n + f.gzipBytes, 0);
  return { files, bytes, gzipBytes, gzipKb: Math.round(gzipBytes / 100) / 10 };
}
