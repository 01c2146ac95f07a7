// jwks_sessions.js: session tokens minted by jsonwebtoken (npm) with RS256, PS256 and
// ES256 keys published as a JSON Web Key Set (vecrbac.jwks, set per database), chosen
// by kid; rotation (old and new kid both valid, then the old removed); a token naming
// another algorithm than its key's, or an unknown kid, refused. jsonwebtoken has no
// EdDSA: test/clients/jwks_sessions.py covers it with PyJWT.
//
// Connects to PGHOST/PGPORT (test/clients/run.sh); VR_JWT_SECRET is not used here.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const jwt = require('jsonwebtoken');
const { Client } = require('pg');

const DB = 'vecrbac_jwks_js';
const ROLE = 'vr_jwks_js';
const conn = (database, user = 'postgres') =>
  new Client({ host: process.env.PGHOST || '127.0.0.1', port: Number(process.env.PGPORT), user, database });

function provider(kid, alg) {
  const pair = alg === 'ES256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid, alg, privateKey: pair.privateKey,
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    token(tenant, options = {}) {
      const claims = { sub: tenant, access: [{ collection: 'items', access: 'r', payload: { tenant } }] };
      return jwt.sign(claims, pair.privateKey, { algorithm: alg, keyid: kid, expiresIn: 600, ...options });
    },
  };
}

const jwks = (...providers) => JSON.stringify({ keys: providers.map((p) => p.jwk) });
let admin;

async function setJwks(document) {
  // ALTER DATABASE takes no parameters: the document is quoted as a literal
  await admin.query(`ALTER DATABASE ${DB} SET vecrbac.jwks = ${admin.escapeLiteral(document)}`);
}

// A new session (ALTER DATABASE ... SET applies to sessions that start afterwards):
// the tenants the token reads, or the refusal.
async function outcome(token) {
  const c = conn(DB, ROLE);
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query("SELECT set_config('vecrbac.token', $1, true)", [token]);
    const r = await c.query('SELECT DISTINCT tenant FROM items ORDER BY 1');
    await c.query('COMMIT');
    return r.rows.map((row) => row.tenant);
  } catch (e) {
    return `${e.code} ${e.message}`;
  } finally {
    await c.end();
  }
}

test.before(async () => {
  const root = conn('postgres');
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${DB}`);
  await root.query(`CREATE DATABASE ${DB}`);
  await root.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await root.query(`CREATE ROLE ${ROLE} LOGIN NOSUPERUSER NOBYPASSRLS`);
  await root.end();
  admin = conn(DB);
  await admin.connect();
  await admin.query('CREATE EXTENSION vecrbac');
  await admin.query("CREATE TABLE items (id int PRIMARY KEY, tenant text NOT NULL, payload jsonb NOT NULL DEFAULT '{}')");
  await admin.query("INSERT INTO items SELECT i, CASE WHEN i % 2 = 0 THEN 'acme' ELSE 'globex' END FROM generate_series(1, 10) i");
  await admin.query(`SELECT vecrbac.protect('items', key_columns => '["tenant"]')`);
  await admin.query(`GRANT SELECT ON items TO ${ROLE}`);
});

test.after(async () => {
  await admin.end();
  const root = conn('postgres');
  await root.connect();
  await root.query(`DROP DATABASE ${DB}`);
  await root.query(`DROP ROLE ${ROLE}`);
  await root.end();
});

test('each algorithm verifies with its own key, chosen by kid', async () => {
  const keys = ['RS256', 'PS256', 'ES256'].map((alg) => provider(`${alg}-1`, alg));
  await setJwks(jwks(...keys));
  for (const p of keys) {
    assert.deepEqual(await outcome(p.token('acme')), ['acme'], p.alg);
    assert.deepEqual(await outcome(p.token('globex')), ['globex'], p.alg);
  }
  const rs = keys[0];
  const psWithRsKid = jwt.sign({ access: 'r' }, rs.privateKey, { algorithm: 'PS256', keyid: rs.kid, expiresIn: 600 });
  assert.equal(await outcome(psWithRsKid), '28000 algorithm not allowed');
  const stranger = provider('RS256-1', 'RS256');
  assert.equal(await outcome(stranger.token('acme')), '28000 invalid signature');
  assert.equal(await outcome(provider('nobody', 'ES256').token('acme')),
    '28000 token key id (kid) is not in vecrbac.jwks');
  // without a kid, a token is checked against the HMAC secret (this cluster has one): an
  // RS256 token is then of an algorithm the secret does not allow
  assert.equal(await outcome(jwt.sign({ access: 'r' }, rs.privateKey, { algorithm: 'RS256', expiresIn: 600 })),
    '28000 algorithm not allowed');
});

test('rotation: both keys, then only the new one', async () => {
  const old = provider('2026-01', 'ES256');
  const next = provider('2026-02', 'RS256');
  await setJwks(jwks(old, next));
  assert.deepEqual(await outcome(old.token('acme')), ['acme']);
  assert.deepEqual(await outcome(next.token('acme')), ['acme']);
  await setJwks(jwks(next));
  assert.equal(await outcome(old.token('acme')), '28000 token key id (kid) is not in vecrbac.jwks');
  assert.deepEqual(await outcome(next.token('globex')), ['globex']);
});

test('a key set with a duplicate kid is refused when it is set', async () => {
  const p = provider('dup', 'ES256');
  await assert.rejects(setJwks(jwks(p, p)), (e) => e.code === '22023' && /a second key with this kid/.test(e.message));
});
