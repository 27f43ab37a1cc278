import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crlText, openssl, verifyCrl } from '../../test/support/openssl';
import { buildCrl, CrlReason, encodeRevokedEntry } from './crl-encoder';
import { CrlIssuerError, generateDevelopmentIssuer, loadCrlSigner, SoftwareCrlSigner } from './crl-signer';

describe('CRL signer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crl-signer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('loadCrlSigner', () => {
    it('generates a development issuer on first start, then keeps it', async () => {
      const first = await loadCrlSigner({ dataDir: dir });
      expect(first.generated).toBe(true);
      const again = await loadCrlSigner({ dataDir: dir });
      expect(again.generated).toBe(false);
      expect(again.signer.issuerCertificatePem).toBe(first.signer.issuerCertificatePem);
      const text = openssl('x509', '-in', join(dir, 'crl-issuer', 'issuer.crt'), '-noout', '-text');
      expect(openssl('x509', '-in', join(dir, 'crl-issuer', 'issuer.crt'), '-noout', '-subject')).toMatch(
        /^subject=CN\s*=\s*CPx development CRL issuer - not for production, O\s*=\s*CPx back-office \(development\), C\s*=\s*FR$/m,
      );
      expect(statSync(join(dir, 'crl-issuer', 'issuer-key.pem')).mode & 0o777).toBe(0o600);
      expect(text).toMatch(/ASN1 OID: prime256v1/);
      expect(text).toMatch(/CRL Sign/);
      expect(first.signer.authorityKeyIdentifier?.length).toBe(20);
    });

    it('gives one issuer to processes starting at once', async () => {
      const all = await Promise.all(Array.from({ length: 6 }, () => loadCrlSigner({ dataDir: dir })));
      expect(all.filter((r) => r.generated)).toHaveLength(1);
      expect(new Set(all.map((r) => r.signer.issuerCertificatePem)).size).toBe(1);
    });

    it('uses the configured key and certificate, and names a missing file', async () => {
      const { keyPem, certPem } = await generateDevelopmentIssuer('CN=Production issuer,O=Agency,C=FR');
      writeFileSync(join(dir, 'k.pem'), keyPem, { mode: 0o600 });
      writeFileSync(join(dir, 'c.pem'), certPem);
      const r = await loadCrlSigner({ dataDir: dir, keyFile: join(dir, 'k.pem'), certFile: join(dir, 'c.pem') });
      expect(r.generated).toBe(false);
      expect(r.signer.issuerCertificatePem).toBe(certPem);
      await expect(loadCrlSigner({ dataDir: dir, keyFile: join(dir, 'nope.pem'), certFile: join(dir, 'c.pem') })).rejects.toThrow(
        /CRL_SIGNING_KEY_FILE: cannot read ".*nope\.pem" \(ENOENT\)/,
      );
    });

    it.each(['640', '604', '660', '644', '620'])('refuses a key file of mode %s, naming the file and the fix', async (octal) => {
      const mode = Number.parseInt(octal, 8);
      const { keyPem, certPem } = await generateDevelopmentIssuer('CN=Production issuer,O=Agency,C=FR');
      const key = join(dir, 'k.pem');
      writeFileSync(key, keyPem, { mode: 0o600 });
      writeFileSync(join(dir, 'c.pem'), certPem);
      chmodSync(key, mode);
      await expect(loadCrlSigner({ dataDir: dir, keyFile: key, certFile: join(dir, 'c.pem') })).rejects.toThrow(
        `CRL_SIGNING_KEY_FILE: "${key}" is accessible to its group or others (mode ${octal}); a private key must be readable by its owner only: chmod 600 ${key}`,
      );
      chmodSync(key, 0o400);
      expect((await loadCrlSigner({ dataDir: dir, keyFile: key, certFile: join(dir, 'c.pem') })).signer.issuerCertificatePem).toBe(certPem);
    });

    it('refuses a development key whose mode was widened', async () => {
      await loadCrlSigner({ dataDir: dir });
      chmodSync(join(dir, 'crl-issuer', 'issuer-key.pem'), 0o644);
      await expect(loadCrlSigner({ dataDir: dir })).rejects.toThrow(
        /the development CRL signing key: ".*issuer-key\.pem" is accessible to its group or others \(mode 644\).*chmod 600 /,
      );
    });

    it('refuses a key that is not a regular file without blocking on it (a FIFO)', async () => {
      const { certPem } = await generateDevelopmentIssuer();
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      writeFileSync(join(dir, 'c.pem'), certPem);
      await expect(loadCrlSigner({ dataDir: dir, keyFile: join(dir, 'fifo'), certFile: join(dir, 'c.pem') })).rejects.toThrow(
        /CRL_SIGNING_KEY_FILE: ".*fifo" is not a regular file/,
      );
    });

    it('does not sign in production without a configured key, and generates nothing there', async () => {
      await expect(loadCrlSigner({ dataDir: dir, profile: 'production' })).rejects.toThrow(
        /signing CRLs in production needs CRL_SIGNING_KEY_FILE and CRL_ISSUER_CERT_FILE/,
      );
      expect(() => statSync(join(dir, 'crl-issuer'))).toThrow(/ENOENT/);
    });
  });

  describe('SoftwareCrlSigner', () => {
    it('refuses a key that is not ECDSA P-256, and a certificate of another key', async () => {
      const a = await generateDevelopmentIssuer();
      const b = await generateDevelopmentIssuer();
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(() => new SoftwareCrlSigner(rsa, a.certPem)).toThrow(/expected an ECDSA P-256 key, got rsa/);
      expect(() => new SoftwareCrlSigner(p384, a.certPem)).toThrow(/expected an ECDSA P-256 key, got ec secp384r1/);
      expect(() => new SoftwareCrlSigner(a.keyPem, b.certPem)).toThrow(CrlIssuerError);
      expect(() => new SoftwareCrlSigner('not a key', a.certPem)).toThrow(/not a PEM private key/);
    });

    it('signs a CRL that openssl verifies against the issuer certificate', async () => {
      const { keyPem, certPem } = await generateDevelopmentIssuer();
      const signer = new SoftwareCrlSigner(keyPem, certPem);
      const tbs = Buffer.from('some bytes');
      expect(verify('sha256', tbs, { key: createPublicKey(certPem), dsaEncoding: 'der' }, await signer.sign(tbs))).toBe(true);

      const der = await buildCrl({
        issuerDer: signer.issuerNameDer,
        authorityKeyIdentifier: signer.authorityKeyIdentifier,
        thisUpdate: new Date('2026-11-26T10:00:00Z'),
        nextUpdate: new Date('2026-11-27T10:00:00Z'),
        crlNumber: 7n,
        entries: [
          encodeRevokedEntry({ serial: '3000000012', revokedAt: new Date('2026-11-25T08:00:00Z'), reason: CrlReason.keyCompromise }),
        ],
        sign: (t) => signer.sign(t),
        signatureAlgorithmDer: signer.signatureAlgorithmDer,
      });
      writeFileSync(join(dir, 'c.crl'), der);
      writeFileSync(join(dir, 'issuer.crt'), certPem);
      expect(verifyCrl(join(dir, 'c.crl'), join(dir, 'issuer.crt'))).toMatch(/verify OK/);
      const t = crlText(join(dir, 'c.crl'));
      expect(t.crlNumber).toBe(7n);
      expect(t.reasons.get('3000000012')).toBe('Key Compromise');
      expect(readFileSync(join(dir, 'c.crl')).length).toBe(der.length);
    });
  });
});
