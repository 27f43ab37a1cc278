import { mkdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { RppsError, unusableInput } from './rpps.errors';

/**
 * The one refusal of a path given over the API that is not inside the import directory.
 * Its status, code and message never depend on whether the path exists.
 */
export function outsideImportDir(): RppsError {
  return new RppsError(
    'file_outside_import_dir',
    'files are read from the import directory only (IMPORT_DIR): give names relative to it',
    400,
  );
}

function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * realpath of `p`, or, when `p` does not exist, of its nearest existing ancestor with the
 * missing rest appended. A dangling symbolic link is followed by hand, so that where its
 * target lies decides, never whether the target exists.
 */
async function realpathOrAncestor(p: string, hops = 0): Promise<{ real: string; exists: boolean }> {
  if (hops > 40) throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
  const missing: string[] = [];
  let at = p;
  for (;;) {
    try {
      const real = await realpath(at);
      return { real: missing.length ? resolve(real, ...[...missing].reverse()) : real, exists: missing.length === 0 };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const link = await readlink(at).catch(() => null);
      if (link !== null) return realpathOrAncestor(resolve(dirname(at), link, ...[...missing].reverse()), hops + 1);
      const parent = dirname(at);
      if (parent === at) throw e;
      missing.push(basename(at));
      at = parent;
    }
  }
}

/**
 * A file named over the API, resolved inside `importDir`: a relative name is relative to
 * it; an absolute path must be inside it once symbolic links are resolved. `..` escapes,
 * symbolic links pointing out and any other path get {@link outsideImportDir}, whether or
 * not they exist; a path inside that does not exist gets a plain "no such file".
 * Returns the real path, so that what is read is what was checked.
 */
export async function resolveInImportDir(importDir: string, given: string): Promise<string> {
  if (given.includes('\0')) throw outsideImportDir();
  await mkdir(importDir, { recursive: true });
  const root = await realpath(importDir);
  let found: { real: string; exists: boolean };
  try {
    found = await realpathOrAncestor(resolve(root, given));
  } catch {
    // EACCES, ELOOP...: said the same way as outside, so that nothing is learnt of the path.
    throw outsideImportDir();
  }
  if (!isInside(root, found.real)) throw outsideImportDir();
  if (!found.exists) throw unusableInput(`"${given}": no such file in the import directory`);
  return found.real;
}
