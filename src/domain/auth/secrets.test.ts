import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUMMY_PASSWORD_HASH, hashPassword, hashSecret, newSecret, safeEqual, verifyPassword } from './secrets.ts';

const fast = { logN: 10, r: 8, p: 1, keyLen: 32 };

test('password / right password verifies, wrong does not', async () => {
  const h = await hashPassword('correct horse', fast);
  assert.match(h, /^scrypt\$10\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('correct hors', h), false);
});

test('password / default parameters are memory-hard (N=2^15) and stored in the hash', async () => {
  const h = await hashPassword('x');
  assert.ok(h.startsWith('scrypt$15$8$1$'));
  assert.equal(await verifyPassword('x', h), true);
});

test('password / same password twice → different salts', async () => {
  assert.notEqual(await hashPassword('p', fast), await hashPassword('p', fast));
});

test('password / malformed or hostile hashes → false, never throw', async () => {
  for (const bad of ['', 'md5$abc', 'scrypt$99$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAA', 'scrypt$a$b$c$d$e', 'scrypt$15$8$1$$']) {
    assert.equal(await verifyPassword('p', bad), false, bad);
  }
  assert.equal(await verifyPassword('p', DUMMY_PASSWORD_HASH), false);
});

test('secret / random, prefixed, 256 bits; hash is sha256 hex', () => {
  const a = newSecret('snt_'); const b = newSecret('snt_');
  assert.notEqual(a, b);
  assert.match(a, /^snt_[\w-]{43}$/);
  assert.match(hashSecret(a), /^[0-9a-f]{64}$/);
  assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('safeEqual / equal, different, different length', () => {
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abd'), false);
  assert.equal(safeEqual('abc', 'abcd'), false);
});
