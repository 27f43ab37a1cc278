import { execFileSync, spawnSync } from 'node:child_process';

/** The `openssl` command line, which the CRL tests check against (never our own parser). */
export function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/** `openssl crl -verify` against the issuer certificate; returns stdout + stderr ("verify OK" is on stderr). */
export function verifyCrl(crlFile: string, issuerCertFile: string, inform: 'DER' | 'PEM' = 'DER'): string {
  const r = spawnSync('openssl', ['crl', '-inform', inform, '-in', crlFile, '-CAfile', issuerCertFile, '-noout', '-verify'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`openssl crl -verify failed: ${r.stderr}`);
  return r.stdout + r.stderr;
}

export interface CrlText {
  text: string;
  crlNumber: bigint;
  deltaBase: bigint | null;
  entries: number;
  /** serial (decimal) → reason as openssl prints it, or null when the entry has none */
  reasons: Map<string, string | null>;
  /** serial (decimal) → invalidity date line, when present */
  invalidityDates: Map<string, string>;
  issuer: string;
}

/** Reads a DER CRL with `openssl crl -text` and picks out what the tests check. */
export function crlText(crlFile: string): CrlText {
  const text = openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text');
  const num = /X509v3 CRL Number:\s*\n\s*(\S+)/.exec(text);
  const delta = /X509v3 Delta CRL Indicator: critical\s*\n\s*(\S+)/.exec(text);
  const parseNum = (s: string) =>
    s.startsWith('0x') ? BigInt(s) : /^[0-9A-F]+$/i.test(s) && /[A-F]/i.test(s) ? BigInt(`0x${s}`) : BigInt(s);
  const reasons = new Map<string, string | null>();
  const invalidityDates = new Map<string, string>();
  const blocks = text.split(/\n\s*Serial Number: /).slice(1);
  for (const b of blocks) {
    const serial = BigInt(`0x${b.slice(0, b.indexOf('\n')).trim()}`).toString();
    const reason = /X509v3 CRL Reason Code:\s*\n\s*(.+)/.exec(b);
    reasons.set(serial, reason ? reason[1].trim() : null);
    const inv = /Invalidity Date:\s*\n\s*(.+)/.exec(b);
    if (inv) invalidityDates.set(serial, inv[1].trim());
  }
  return {
    text,
    crlNumber: num ? parseNum(num[1]) : -1n,
    deltaBase: delta ? parseNum(delta[1]) : null,
    entries: blocks.length,
    reasons,
    invalidityDates,
    issuer: /Issuer: (.+)/.exec(text)?.[1].trim() ?? '',
  };
}
