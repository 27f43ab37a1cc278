import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointSignatureValid } from './audit-chain';
import { AuditKeyError, loadAuditPublicKey, loadAuditSigner } from './audit-checkpoint.signer';

describe('audit checkpoint signer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-signer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates one development key for processes starting at once, readable by its owner only', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => loadAuditSigner({ dataDir: dir })));
    expect(all.filter((r) => r.generated)).toHaveLength(1);
    expect(new Set(all.map((r) => r.signer.keyId)).size).toBe(1);
    expect(statSync(join(dir, 'audit-key', 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    const again = await loadAuditSigner({ dataDir: dir });
    expect(again.generated).toBe(false);
    expect(again.signer.algorithm).toBe('ed25519');
    const cp = again.signer.sign({ size: 1, head: 'a'.repeat(64), signedAt: new Date().toISOString() });
    const pub = await loadAuditPublicKey({ dataDir: dir });
    expect(pub && checkpointSignatureValid(cp, pub)).toBe(true);
  });

  it('has no public key to offer before a key exists, and generates none for a reader', async () => {
    expect(await loadAuditPublicKey({ dataDir: dir })).toBeNull();
  });

  it('uses AUDIT_SIGNING_KEY_FILE (ECDSA P-256 too), refusing one readable by others or of another kind', async () => {
    const file = join(dir, 'audit.pem');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(file, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const { signer } = await loadAuditSigner({ dataDir: dir, keyFile: file });
    expect(signer.algorithm).toBe('ecdsa-p256');
    const cp = signer.sign({ size: 0, head: '0'.repeat(64), signedAt: new Date().toISOString() });
    expect(checkpointSignatureValid(cp, ec.publicKey)).toBe(true);

    chmodSync(file, 0o644);
    await expect(loadAuditSigner({ dataDir: dir, keyFile: file })).rejects.toThrow(
      /AUDIT_SIGNING_KEY_FILE .* accessible to its group or others \(mode 644\); a private key must be readable by its owner only: chmod 600/,
    );
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await expect(loadAuditSigner({ dataDir: dir, keyFile: rsa })).rejects.toThrow(/expected an Ed25519 or ECDSA P-256 key, got rsa/);
    await expect(loadAuditSigner({ dataDir: dir, keyFile: join(dir, 'nope.pem') })).rejects.toThrow(AuditKeyError);
    await expect(loadAuditSigner({ dataDir: dir, profile: 'production' })).rejects.toThrow(
      /AUDIT_SIGNING_KEY_FILE is required in production/,
    );
  });
});
