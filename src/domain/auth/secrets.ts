/**
 * Secrets at rest: passwords are hashed with scrypt (memory-hard), API tokens and session ids are
 * long random strings stored only as their SHA-256. Every comparison of secret material is
 * constant-time. Fixes panel-features.md §4.1 items 3–4 (plain-text password, MD5 cookie).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt cost: N = 2^15, r = 8, p = 1 → 128·N·r = 32 MiB of memory per hash and ~50–100 ms on
 * one core (RFC 7914 §2; the OWASP 2023 minimum for interactive logins is N=2^17 with r=8,p=1 or
 * an equivalent; we stay at 2^15 because the panel runs on small boxes and logins are rate-limited).
 * The parameters are stored with each hash, so raising them later keeps old hashes verifiable.
 */
export const SCRYPT_PARAMS = { logN: 15, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;

interface ScryptParams { logN: number; r: number; p: number; keyLen: number }

function scryptAsync(password: string, salt: Buffer, prm: ScryptParams): Promise<Buffer> {
  const N = 2 ** prm.logN;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, prm.keyLen, { N, r: prm.r, p: prm.p, maxmem: 256 * N * prm.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password into a self-describing string `scrypt$<logN>$<r>$<p>$<salt b64url>$<key b64url>`. */
export async function hashPassword(password: string, prm: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SCRYPT_PARAMS.saltLen);
  const key = await scryptAsync(password, salt, prm);
  return ['scrypt', prm.logN, prm.r, prm.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const MAX_LOG_N = 20;

/** True when `password` matches `encoded`; false for a wrong password or a malformed/foreign hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const logN = Number(parts[1]); const r = Number(parts[2]); const p = Number(parts[3]);
  if (![logN, r, p].every((n) => Number.isInteger(n) && n >= 1) || logN > MAX_LOG_N || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const want = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || want.length < 16) return false;
  try {
    const got = await scryptAsync(password, salt, { logN, r, p, keyLen: want.length });
    return timingSafeEqual(got, want);
  } catch {
    return false; // parameters the platform refuses: treat as a non-matching hash, never throw into a login
  }
}

/**
 * A password hash to verify against when the login does not exist, so an unknown login costs the
 * same time as a wrong password (no user enumeration by timing).
 */
export const DUMMY_PASSWORD_HASH = 'scrypt$15$8$1$3q2-7wAAAAAAAAAAAAAAAA$' + 'A'.repeat(43);

/** A new random secret: 32 bytes (256 bits) as base64url, with a readable prefix (`snt_`, `sns_`). */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a high-entropy secret (tokens, session ids, pool keys): what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time string equality (lengths may leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8'); const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) return false;
  return timingSafeEqual(ba, bb);
}

/** A readable random password for the first admin: 20 base64url characters (120 bits). */
export function newPassword(): string {
  return randomBytes(15).toString('base64url');
}
