/**
 * Pool keys: random, shown once, stored as sha256 hex and compared in constant time
 * (api.md §5; the legacy panel used MD5 of rand() and put the key into SQL unescaped).
 */
import { hash, randomBytes } from 'node:crypto';
import { safeEqual } from '../auth/secrets.ts';

/** A new pool key: 32 lowercase hex characters (128 bits), the shape legacy clients already store. */
export function newPoolKey(): string {
  return randomBytes(16).toString('hex');
}

/**
 * What the store keeps for a key: sha256 hex, as `hashSecret` of domain/auth. Legacy keys
 * (imported) are hashed the same way. One-shot `crypto.hash`: every pool API request hashes its
 * key, and a `createHash` object costs ten times as much.
 */
export function hashPoolKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** A short non-secret hint to tell keys apart in lists. */
export function poolKeyHint(key: string): string {
  return key.slice(0, 4);
}

/** Constant-time comparison of a key's hash with a stored hash. */
export function poolKeyMatches(key: string, storedHash: string): boolean {
  return safeEqual(hashPoolKey(key), storedHash);
}
