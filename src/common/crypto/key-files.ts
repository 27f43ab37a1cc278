import { constants, promises as fs } from 'node:fs';

/** Makes the error a key loader throws (each signer has its own class). */
export type KeyErrorFactory = (message: string) => Error;

/**
 * Reads a private key, refusing one that is not a regular file or that its group or others
 * may access (mode & 077). The file is opened once, non-blocking (a FIFO cannot hang the
 * process), and checked on that descriptor, so what is checked is what is read. Shared by
 * the CRL signer and the audit checkpoint signer.
 */
export async function readPrivateKeyPem(file: string, what: string, error: KeyErrorFactory): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw error(`${what}: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw error(`${what}: "${file}" is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw error(
        `${what}: "${file}" is accessible to its group or others (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}); ` +
          `a private key must be readable by its owner only: chmod 600 ${shellQuote(file)}`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads a public file (a certificate, a public key). */
export async function readPublicPem(file: string, what: string, error: KeyErrorFactory): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw error(`${what}: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function fileExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
