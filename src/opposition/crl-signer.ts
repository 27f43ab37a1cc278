import 'reflect-metadata';
import { createPrivateKey, createPublicKey, sign as cryptoSign, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as X509 from '@peculiar/x509';
import { fileExists, readPrivateKeyPem, readPublicPem } from '../common/crypto/key-files';
import { ECDSA_SHA256_ALGORITHM, extractSubjectNameDer } from './crl-encoder';

/** @peculiar/x509, loaded on first use: every process loads this module, few of them check or make a CRL issuer certificate. */
function loadX509(): typeof X509 {
  return require('@peculiar/x509');
}

/**
 * What signs the CRLs. The software signer below holds an ECDSA P-256 key in memory; an
 * HSM-backed signer implements the same interface (the key never leaves the HSM, only
 * the TBSCertList goes in and the signature comes out).
 */
export interface CrlSigner {
  /** AlgorithmIdentifier DER, written inside and outside the TBSCertList. */
  readonly signatureAlgorithmDer: Buffer;
  /** The issuer Name DER (the issuer certificate's subject). */
  readonly issuerNameDer: Buffer;
  /** The issuer's subjectKeyIdentifier, for the CRL's authorityKeyIdentifier. */
  readonly authorityKeyIdentifier: Buffer | undefined;
  /** The issuer certificate, PEM, served to relying parties. */
  readonly issuerCertificatePem: string;
  /** Signs the DER TBSCertList; must not block the event loop. */
  sign(tbs: Buffer): Promise<Buffer>;
}

/**
 * Where a publisher gets its signer: loaded once, when first needed (or at start, in the
 * worker). Only the signing entry points provide one (CrlSigningModule).
 */
export interface CrlSignerSource {
  get(): Promise<CrlSigner>;
}

export const CRL_SIGNER = Symbol('CRL_SIGNER');

/** A source that always gives this signer (tests, benchmarks). */
export function fixedSigner(signer: CrlSigner): CrlSignerSource {
  return { get: async () => signer };
}

export class CrlIssuerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlIssuerError';
  }
}

/** ECDSA P-256 / SHA-256 in software; the signing runs on libuv's thread pool. */
export class SoftwareCrlSigner implements CrlSigner {
  readonly signatureAlgorithmDer = ECDSA_SHA256_ALGORITHM;
  readonly issuerNameDer: Buffer;
  readonly authorityKeyIdentifier: Buffer | undefined;
  private readonly key: KeyObject;

  constructor(
    keyPem: string,
    readonly issuerCertificatePem: string,
    origin = 'the CRL signing key',
  ) {
    try {
      this.key = createPrivateKey(keyPem);
    } catch (e) {
      throw new CrlIssuerError(`${origin}: not a PEM private key (${(e as Error).message})`);
    }
    const curve = this.key.asymmetricKeyDetails?.namedCurve;
    if (this.key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
      throw new CrlIssuerError(`${origin}: expected an ECDSA P-256 key, got ${this.key.asymmetricKeyType}${curve ? ` ${curve}` : ''}`);
    }
    const x509 = loadX509();
    let cert: X509.X509Certificate;
    try {
      cert = new x509.X509Certificate(issuerCertificatePem);
    } catch (e) {
      throw new CrlIssuerError(`the CRL issuer certificate: not a PEM certificate (${(e as Error).message})`);
    }
    const certSpki = createPublicKey(issuerCertificatePem).export({ type: 'spki', format: 'der' });
    const keySpki = createPublicKey(this.key).export({ type: 'spki', format: 'der' });
    if (!certSpki.equals(keySpki)) throw new CrlIssuerError(`the CRL issuer certificate does not match ${origin}`);
    this.issuerNameDer = extractSubjectNameDer(issuerCertificatePem);
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    this.authorityKeyIdentifier = ski ? Buffer.from(ski.keyId, 'hex') : undefined;
  }

  sign(tbs: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      cryptoSign('sha256', tbs, { key: this.key, dsaEncoding: 'der' }, (err, sig) => (err ? reject(err) : resolve(sig)));
    });
  }
}

export interface IssuerFiles {
  keyFile?: string;
  certFile?: string;
  dataDir: string;
  /** NODE_ENV: only development and test generate their own issuer. */
  profile?: 'development' | 'production' | 'test';
}

export const DEV_ISSUER_DIR = 'crl-issuer';
export const DEV_ISSUER_NAME = 'CN=CPx development CRL issuer - not for production,O=CPx back-office (development),C=FR';

/**
 * The signer from configuration: the PEM key and certificate given (production), or the
 * development issuer in `DATA_DIR/crl-issuer/`, generated on first start. Two processes
 * starting at once cannot both generate one: each builds its own in a private directory
 * and renames it into place; the loser reads the winner's. Only the processes that sign
 * call this (the worker, `crl:publish`): the HTTP API never opens the key.
 *
 * A key file that its group or others may access is refused, whichever profile.
 */
export async function loadCrlSigner(files: IssuerFiles): Promise<{ signer: SoftwareCrlSigner; generated: boolean; dir: string }> {
  if (files.keyFile && files.certFile) {
    const [key, cert] = await Promise.all([
      readPrivateKeyPem(files.keyFile, 'CRL_SIGNING_KEY_FILE', crlKeyError),
      readPublicPem(files.certFile, 'CRL_ISSUER_CERT_FILE', crlKeyError),
    ]);
    return {
      signer: new SoftwareCrlSigner(key, cert, `CRL_SIGNING_KEY_FILE (${files.keyFile})`),
      generated: false,
      dir: path.dirname(files.certFile),
    };
  }
  if (files.profile === 'production') {
    throw new CrlIssuerError(
      'signing CRLs in production needs CRL_SIGNING_KEY_FILE and CRL_ISSUER_CERT_FILE (only development and test generate their own CRL issuer)',
    );
  }
  const dir = path.resolve(files.dataDir, DEV_ISSUER_DIR);
  let generated = false;
  if (!(await fileExists(path.join(dir, 'issuer.crt')))) {
    await fs.mkdir(files.dataDir, { recursive: true });
    const tmp = await fs.mkdtemp(path.join(files.dataDir, `.${DEV_ISSUER_DIR}-`)); // mode 700
    const { keyPem, certPem } = await generateDevelopmentIssuer();
    await fs.writeFile(path.join(tmp, 'issuer-key.pem'), keyPem, { mode: 0o600 });
    await fs.writeFile(path.join(tmp, 'issuer.crt'), certPem);
    try {
      await fs.rename(tmp, dir);
      generated = true;
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  const [key, cert] = await Promise.all([
    readPrivateKeyPem(path.join(dir, 'issuer-key.pem'), 'the development CRL signing key', crlKeyError),
    readPublicPem(path.join(dir, 'issuer.crt'), 'the development CRL issuer certificate', crlKeyError),
  ]);
  return { signer: new SoftwareCrlSigner(key, cert, `the development CRL signing key (${dir})`), generated, dir };
}

/** A self-signed ECDSA P-256 CRL issuer, for development and tests only. */
export async function generateDevelopmentIssuer(name = DEV_ISSUER_NAME): Promise<{ keyPem: string; certPem: string }> {
  const x509 = loadX509();
  type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
  type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
  const crypto = webcrypto as unknown as X509Crypto;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as KeyPair;
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      name,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000),
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { keyPem, certPem: `${cert.toString('pem')}\n` };
}

function crlKeyError(message: string): Error {
  return new CrlIssuerError(message);
}
