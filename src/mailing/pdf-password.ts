import { readPrivateKeyPem } from '../common/crypto/key-files';
import type { LetterEncryption } from './letters';
import { MailingError } from './mailing.errors';

/** The shortest password the batch PDFs are encrypted with; the longest the PDF format takes (bytes). */
export const MIN_PDF_PASSWORD_LENGTH = 12;
const MAX_PDF_PASSWORD_BYTES = 127;

const notConfigured = (message: string) => new MailingError('mailing_not_configured', message, 500);

/**
 * The password of the batch PDFs, from the first line of MAILING_PDF_PASSWORD_FILE: a regular
 * file readable by its owner only (as a private key), whose first line holds 12 characters or
 * more (127 bytes at most). Read when the processes that draw letters start (the worker,
 * mailing:batch) and again at each drawing. An error names the setting and the file, never
 * what the file holds.
 */
export async function readPdfPassword(file: string): Promise<LetterEncryption> {
  const text = await readPrivateKeyPem(file, 'MAILING_PDF_PASSWORD_FILE', notConfigured);
  const password = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (password.length < MIN_PDF_PASSWORD_LENGTH || Buffer.byteLength(password) > MAX_PDF_PASSWORD_BYTES) {
    throw notConfigured(
      `MAILING_PDF_PASSWORD_FILE "${file}": its first line must hold a password of ${MIN_PDF_PASSWORD_LENGTH} characters or more ` +
        `(${MAX_PDF_PASSWORD_BYTES} bytes at most)`,
    );
  }
  return { userPassword: password, ownerPassword: password };
}
