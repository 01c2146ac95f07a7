// jwt_interop.js: vecrbac's JWT against jsonwebtoken (npm), both directions.
//
// - Tokens minted by jsonwebtoken verify in vecrbac.jwt_verify with their claims
//   intact: HS256/384/512, ES256, RS256, PS256 (jsonwebtoken has no EdDSA; PyJWT
//   covers it in jwt_interop.py), public keys as PEM and as JWK.
// - Tokens minted by vecrbac.jwt_sign verify in jsonwebtoken (jwt.verify).
// - What jsonwebtoken can mint but vecrbac must refuse is refused with SQLSTATE 28000.
//
// Keys are generated for each run. Connects to PGHOST/PGPORT as postgres (test/clients/run.sh).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const jwt = require('jsonwebtoken');
const { Client } = require('pg');

const DB = 'vecrbac_jwt_interop_js';
const conn = (database) =>
  new Client({ host: process.env.PGHOST || '127.0.0.1', port: Number(process.env.PGPORT), user: 'postgres', database });

const HMAC = { HS256: 32, HS384: 48, HS512: 64 };
const ASYMMETRIC = ['ES256', 'RS256', 'PS256'];
const keys = {
  ES256: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
keys.PS256 = keys.RS256;
const pem = (k) => k.export(k.type === 'private' ? { type: 'pkcs8', format: 'pem' } : { type: 'spki', format: 'pem' });
const jwk = (k) => JSON.stringify(k.export({ format: 'jwk' }));

function claims(extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'interop-js', iat: now, nbf: now - 5, exp: now + 600,
    access: [{ collection: 'docs', access: 'rw', payload: { tenant: 't2' } }],
    unicode: 'é😀', n: 1.5, flag: false, nothing: null, ...extra,
  };
}

let client;

test.before(async () => {
  const admin = conn('postgres');
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  client = conn(DB);
  await client.connect();
  await client.query('CREATE EXTENSION vecrbac');
});

test.after(async () => {
  await client.end();
  const admin = conn('postgres');
  await admin.connect();
  await admin.query(`DROP DATABASE ${DB}`);
  await admin.end();
});

// Buffers go as bytea, strings as text: both overloads are exercised.
async function sqlVerify(token, key, algs) {
  const cast = Buffer.isBuffer(key) ? 'bytea' : 'text';
  const r = await client.query(`SELECT vecrbac.jwt_verify($1, $2::${cast}, $3) AS c`, [token, key, algs]);
  return r.rows[0].c;
}

async function sqlSign(c, key, alg) {
  const cast = Buffer.isBuffer(key) ? 'bytea' : 'text';
  const r = await client.query(`SELECT vecrbac.jwt_sign($1::jsonb, $2::${cast}, $3) AS t`, [JSON.stringify(c), key, alg]);
  return r.rows[0].t;
}

async function assertRefused(token, key, algs, message) {
  await assert.rejects(sqlVerify(token, key, algs), (e) => {
    assert.equal(e.code, '28000', e.message);
    assert.ok(e.message.includes(message), `"${e.message}" lacks "${message}"`);
    return true;
  });
}

test('jsonwebtoken HMAC tokens verify in vecrbac', async () => {
  for (const [alg, size] of Object.entries(HMAC)) {
    const secret = crypto.randomBytes(size);
    const c = claims();
    assert.deepEqual(await sqlVerify(jwt.sign(c, secret, { algorithm: alg }), secret, [alg]), c, alg);
    const text = 'clé-' + 'y'.repeat(size);
    assert.deepEqual(await sqlVerify(jwt.sign(c, text, { algorithm: alg }), text, [alg]), c, alg);
  }
});

test('jsonwebtoken asymmetric tokens verify in vecrbac (PEM and JWK keys)', async () => {
  for (const alg of ASYMMETRIC) {
    const c = claims();
    const token = jwt.sign(c, keys[alg].privateKey, { algorithm: alg, keyid: 'k-' + alg });
    assert.deepEqual(await sqlVerify(token, pem(keys[alg].publicKey), [alg]), c, alg);
    assert.deepEqual(await sqlVerify(token, jwk(keys[alg].publicKey), [alg]), c, alg);
  }
});

test('jsonwebtoken tokens that vecrbac must refuse', async () => {
  const secret = crypto.randomBytes(32);
  await assertRefused(jwt.sign(claims(), null, { algorithm: 'none' }), secret, ['HS256'], 'unsecured tokens');
  await assertRefused(jwt.sign(claims({ exp: Math.floor(Date.now() / 1000) - 3600 }), secret), secret, ['HS256'],
    'token expired');
  await assertRefused(jwt.sign(claims(), crypto.randomBytes(32)), secret, ['HS256'], 'invalid signature');
  await assertRefused(jwt.sign(claims({ exp: Date.now() / 1000 + 600.5 }), secret), secret, ['HS256'],
    'claim "exp" must be an integer NumericDate');
  await assertRefused(jwt.sign(claims(), keys.RS256.privateKey, { algorithm: 'RS256' }), pem(keys.RS256.publicKey),
    ['PS256'], 'algorithm not allowed');
  // The algorithm-confusion forgery: HS256 "signed" with the RSA public key's PEM.
  const forged = jwt.sign(claims(), pem(keys.RS256.publicKey), { algorithm: 'HS256' });
  await assertRefused(forged, pem(keys.RS256.publicKey), ['RS256'], 'algorithm not allowed');
  // And a caller who wrongly lists HS256 with that PEM gets a configuration error, not a pass.
  await assert.rejects(sqlVerify(forged, pem(keys.RS256.publicKey), ['HS256']), (e) => e.code === '22023');
});

test('vecrbac HMAC tokens verify in jsonwebtoken', async () => {
  for (const [alg, size] of Object.entries(HMAC)) {
    const secret = crypto.randomBytes(size);
    const c = claims();
    const token = await sqlSign(c, secret, alg);
    assert.deepEqual(jwt.decode(token, { complete: true }).header, { alg, typ: 'JWT' });
    assert.deepEqual(jwt.verify(token, secret, { algorithms: [alg] }), c, alg);
  }
});

test('vecrbac asymmetric tokens verify in jsonwebtoken', async () => {
  for (const alg of ASYMMETRIC) {
    const c = claims();
    for (const priv of [pem(keys[alg].privateKey), jwk(keys[alg].privateKey)]) {
      const token = await sqlSign(c, priv, alg);
      assert.deepEqual(jwt.verify(token, keys[alg].publicKey, { algorithms: [alg] }), c, alg);
      const [h, , s] = token.split('.');
      const forged = `${h}.${Buffer.from('{"sub":"mallory","exp":4102444800}').toString('base64url')}.${s}`;
      assert.throws(() => jwt.verify(forged, keys[alg].publicKey, { algorithms: [alg] }), /invalid signature/);
    }
  }
});
