// After `tsc`: the CLI named by package.json's "bin" (npx cps) must be executable. tsc writes
// new files without the x bit, so on a fresh clone `npx cps` would answer "Permission denied".
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { bin } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const file of Object.values(bin ?? {})) fs.chmodSync(path.join(root, file), 0o755);
