/**
 * cyrb53: a fast, well-mixed 53-bit string hash (public domain, bryc). Stable across
 * processes and PostgreSQL versions, unlike hashtext(); used for change detection only,
 * never for security. A person's digests are sums of these hashes (modulo 2^48), so the
 * order of lines in the extract does not matter.
 */
export function stableHash(s: string, seed = 0): number {
  hashBegin(seed);
  hashAdd(s);
  return hashEnd();
}

let h1 = 0;
let h2 = 0;
let first = true;

/** Starts an incremental hash; with hashAdd(a), hashAdd(b) it equals stableHash(`${a}|${b}`). */
export function hashBegin(seed = 0): void {
  h1 = 0xdeadbeef ^ seed;
  h2 = 0x41c6ce57 ^ seed;
  first = true;
}

export function hashAdd(s: string): void {
  if (!first) {
    h1 = Math.imul(h1 ^ 124, 2654435761);
    h2 = Math.imul(h2 ^ 124, 1597334677);
  }
  first = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
}

export function hashEnd(): number {
  let a = h1;
  let b = h2;
  a = Math.imul(a ^ (a >>> 16), 2246822507);
  a ^= Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507);
  b ^= Math.imul(a ^ (a >>> 13), 3266489909);
  return 4294967296 * (2097151 & b) + (a >>> 0);
}

/** 2^48: digest sums stay below it, so they are exact in doubles. */
const M48 = 2 ** 48;

export function addMod48(sum: number, h: number): number {
  return (sum + (h % M48)) % M48;
}
