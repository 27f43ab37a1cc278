import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { entryScriptUrls, firstLoadJs, leadingStaticImports } from './console-bundle';

describe("the console's first-load JavaScript (the browser tier's budget and the console-bundle benchmark)", () => {
  let dist: string;
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'console-bundle-'));
    mkdirSync(join(dist, 'assets'));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it('reads the module scripts and modulepreload links of index.html, not the other scripts, styles or prefetches', () => {
    const html = `<html><head>
      <script type="module" crossorigin src="/console/assets/index-1.js"></script>
      <link rel="modulepreload" crossorigin href="/console/assets/vendor-2.js">
      <link rel="stylesheet" href="/console/assets/index-3.css">
      <link rel="prefetch" href="/console/assets/later-4.js">
      <script>inline()</script>
      <script src="/console/classic-5.js"></script>
    </head></html>`;
    expect(entryScriptUrls(html)).toEqual(['/console/assets/index-1.js', '/console/assets/vendor-2.js']);
  });

  it('reads the static imports a chunk starts with, never the code after them nor dynamic imports', () => {
    const code = `import{a as e,b as t}from"./vendor-2.js";import"./side-3.js";import*as n from'./ns-4.js';const x=()=>import("./lazy-5.js");const s="import y from './not-6.js'";`;
    expect(leadingStaticImports(code)).toEqual(['./vendor-2.js', './side-3.js', './ns-4.js']);
    expect(leadingStaticImports('var e=1;import"./late.js"')).toEqual([]);
  });

  it('sums each file loaded at once, gzipped, each once, following static imports and not dynamic ones', () => {
    const files: Record<string, string> = {
      'assets/index-1.js': `import{a}from"./vendor-2.js";import"./side-3.js";console.log(a,()=>import("./lazy-4.js"));`,
      'assets/vendor-2.js': `import"./side-3.js";export const a=${JSON.stringify('v'.repeat(5000))};`,
      'assets/side-3.js': 'globalThis.side=1;',
      'assets/lazy-4.js': `export default ${JSON.stringify('l'.repeat(90000))};`,
    };
    for (const [p, c] of Object.entries(files)) writeFileSync(join(dist, p), c);
    writeFileSync(
      join(dist, 'index.html'),
      `<script type="module" src="/console/assets/index-1.js"></script><link rel="modulepreload" href="/console/assets/vendor-2.js">`,
    );
    const js = firstLoadJs(dist);
    expect(js.files.map((f) => f.path)).toEqual(['assets/index-1.js', 'assets/vendor-2.js', 'assets/side-3.js']);
    const loaded = ['assets/index-1.js', 'assets/vendor-2.js', 'assets/side-3.js'];
    expect(js.gzipBytes).toBe(loaded.reduce((n, p) => n + gzipSync(files[p], { level: 9 }).length, 0));
    expect(js.bytes).toBe(loaded.reduce((n, p) => n + Buffer.byteLength(files[p]), 0));
    expect(js.gzipKb).toBe(Math.round(js.gzipBytes / 100) / 10);
  });

  it('fails when index.html names a file the build does not have', () => {
    writeFileSync(join(dist, 'index.html'), `<script type="module" src="/console/assets/gone-1.js"></script>`);
    expect(() => firstLoadJs(dist)).toThrow(/gone-1\.js/);
  });
});
