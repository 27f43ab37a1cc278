import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileExists, readPrivateKeyPem, readPublicPem } from '../crypto/key-files';
import { CheckpointStatement, keyIdOf, SignedCheckpoint, signCheckpoint } from './audit-chain';

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

/**
 * Signs checkpoints of the audit chain. The private key lives in a file of the signing
 * process's host (AUDIT_SIGNING_KEY_FILE, or the development key under DATA_DIR), never
 * in the database: whoever holds the database credentials cannot sign a checkpoint.
 */
export class AuditCheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly algorithm: 'ed25519' | 'ecdsa-p256';

  constructor(
    private readonly privateKey: KeyObject,
    readonly origin: string,
  ) {
    this.algorithm = checkAlgorithm(privateKey, origin);
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  sign(s: CheckpointStatement): SignedCheckpoint {
    return signCheckpoint(s, this.privateKey, this.keyId);
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

function checkAlgorithm(key: KeyObject, origin: string): 'ed25519' | 'ecdsa-p256' {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new AuditKeyError(`${origin}: expected an Ed25519 or ECDSA P-256 key, got ${key.asymmetricKeyType}${curve ? ` ${curve}` : ''}`);
}

export interface AuditKeyFiles {
  /** AUDIT_SIGNING_KEY_FILE */
  keyFile?: string;
  dataDir: string;
  /** NODE_ENV: production never generates its own key. */
  profile?: 'development' | 'production' | 'test';
}

export const DEV_AUDIT_KEY_DIR = 'audit-key';
const PRIVATE_FILE = 'audit-signing-key.pem';
export const PUBLIC_FILE = 'audit-public-key.pem';

/**
 * The signer from configuration: the PEM key given (production), or the development key
 * in `DATA_DIR/audit-key/`, generated on first use (Ed25519, mode 600). Two processes
 * starting at once get one key: each builds its own in a private directory and renames it
 * into place; the loser reads the winner's.
 */
export async function loadAuditSigner(files: AuditKeyFiles): Promise<{ signer: AuditCheckpointSigner; generated: boolean }> {
  if (files.keyFile) {
    const origin = `AUDIT_SIGNING_KEY_FILE (${files.keyFile})`;
    return {
      signer: new AuditCheckpointSigner(parsePrivate(await readPrivateKeyPem(files.keyFile, origin, auditKeyError), origin), origin),
      generated: false,
    };
  }
  if (files.profile === 'production') {
    throw new AuditKeyError(
      'AUDIT_SIGNING_KEY_FILE is required in production to sign audit checkpoints; only development generates its own key (in DATA_DIR/audit-key/)',
    );
  }
  const dir = path.resolve(files.dataDir, DEV_AUDIT_KEY_DIR);
  let generated = false;
  if (!(await fileExists(path.join(dir, PRIVATE_FILE)))) {
    await fs.mkdir(files.dataDir, { recursive: true });
    const tmp = await fs.mkdtemp(path.join(files.dataDir, `.${DEV_AUDIT_KEY_DIR}-`));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await fs.writeFile(path.join(tmp, PRIVATE_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await fs.writeFile(path.join(tmp, PUBLIC_FILE), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    try {
      await fs.rename(tmp, dir);
      generated = true;
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  const origin = `the development audit signing key (${path.join(dir, PRIVATE_FILE)})`;
  const pem = await readPrivateKeyPem(path.join(dir, PRIVATE_FILE), origin, auditKeyError);
  return { signer: new AuditCheckpointSigner(parsePrivate(pem, origin), origin), generated };
}

/**
 * The public key that checkpoints are checked with, without generating anything: a PEM
 * public key file when given (an auditor's copy), else the configured signing key's
 * public half, else the development public key; null when there is none.
 */
export async function loadAuditPublicKey(files: AuditKeyFiles & { publicKeyFile?: string }): Promise<KeyObject | null> {
  if (files.publicKeyFile) {
    const pem = await readPublicPem(files.publicKeyFile, `the audit public key`, auditKeyError);
    try {
      return createPublicKey(pem);
    } catch (e) {
      throw new AuditKeyError(`the audit public key (${files.publicKeyFile}): not a PEM public key (${(e as Error).message})`);
    }
  }
  if (files.keyFile) return (await loadAuditSigner(files)).signer.publicKey;
  const file = path.resolve(files.dataDir, DEV_AUDIT_KEY_DIR, PUBLIC_FILE);
  if (!(await fileExists(file))) return null;
  return createPublicKey(await readPublicPem(file, 'the development audit public key', auditKeyError));
}

function parsePrivate(pem: string, origin: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new AuditKeyError(`${origin}: not a PEM private key (${(e as Error).message})`);
  }
}

/** Reads a private key file, refusing one that group or others may read. */

function auditKeyError(message: string): Error {
  return new AuditKeyError(message);
}
