// rbac_tenants.js: two tenants searching one protected table, from Node (pg, pgvector,
// jsonwebtoken). The same story as rbac_tenants.py: tokens minted with jsonwebtoken,
// TLS with certificate and host name verification (sslmode=verify-full), an ordinary
// role, each tenant gets exactly its own nearest neighbours, disjoint from the other's,
// and writes outside the scope are refused (42501).
//
// Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT, VR_JWT_SECRET.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const jwt = require('jsonwebtoken');
const pg = require('pg');
const pgvector = require('pgvector/pg');

const DB = 'vecrbac_rbac_js';
const DIMS = 8;
const host = process.env.PGHOST || '127.0.0.1';
// verify-full: the CA is the cluster's self-signed certificate; Node checks the host name (or IP) against it.
const ssl = { ca: fs.readFileSync(process.env.PGSSLROOTCERT, 'utf8'), rejectUnauthorized: true };
const conn = (database, user = 'postgres') => new pg.Client({ host, port: Number(process.env.PGPORT), user, database, ssl });

const token = (claims) =>
  jwt.sign({ exp: Math.floor(Date.now() / 1000) + 600, ...claims }, process.env.VR_JWT_SECRET, { algorithm: 'HS256' });
const tenantToken = (tenant) =>
  token({ sub: tenant, access: [{ collection: 'items', access: 'rw', payload: { tenant } }] });

let seed = 11;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const randomVector = () => Array.from({ length: DIMS }, rand);

let admin;
let app;

test.before(async () => {
  const root = conn('postgres');
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${DB}`);
  await root.query(`CREATE DATABASE ${DB}`);
  await root.query('DROP ROLE IF EXISTS vr_client_js');
  await root.query('CREATE ROLE vr_client_js LOGIN NOSUPERUSER NOBYPASSRLS');
  await root.end();
  admin = conn(DB);
  await admin.connect();
  await admin.query('CREATE EXTENSION vecrbac');
  await pgvector.registerTypes(admin);
  await admin.query(`CREATE TABLE items (id bigserial PRIMARY KEY, tenant text NOT NULL,
                     embedding vector(${DIMS}) NOT NULL, payload jsonb NOT NULL DEFAULT '{}')`);
  for (const tenant of ['acme', 'globex']) {
    for (let i = 0; i < 300; i++) {
      await admin.query('INSERT INTO items (tenant, embedding) VALUES ($1, $2)', [tenant, pgvector.toSql(randomVector())]);
    }
  }
  await admin.query('CREATE INDEX ON items USING hnsw (tenant, embedding vector_l2_ops, payload)');
  await admin.query(`SELECT vecrbac.protect('items', key_columns => '{"tenant": "tenant"}')`);
  await admin.query('GRANT SELECT, INSERT, UPDATE, DELETE ON items TO vr_client_js');
  await admin.query('GRANT USAGE ON SEQUENCE items_id_seq TO vr_client_js');
  app = conn(DB, 'vr_client_js');
  await app.connect();
  await pgvector.registerTypes(app);
});

test.after(async () => {
  await app.end();
  await admin.end();
  const root = conn('postgres');
  await root.connect();
  await root.query(`DROP DATABASE ${DB}`);
  await root.query('DROP ROLE vr_client_js');
  await root.end();
});

// One search in its own transaction, with the token set LOCAL (pooler-friendly).
async function search(tok, q, k = 10) {
  await app.query('BEGIN');
  try {
    await app.query("SELECT set_config('vecrbac.token', $1, true)", [tok]);
    const r = await app.query('SELECT id, tenant, embedding FROM items ORDER BY embedding <-> $1 LIMIT $2', [pgvector.toSql(q), k]);
    return r.rows;
  } finally {
    await app.query('COMMIT');
  }
}

async function exact(tenant, q, k = 10) {
  const r = await admin.query('SELECT id FROM items WHERE tenant = $1 ORDER BY embedding <-> $2 LIMIT $3', [tenant, pgvector.toSql(q), k]);
  return r.rows.map((x) => x.id);
}

test('the connection is encrypted and unprivileged', async () => {
  const r = await app.query(`SELECT ssl, current_user AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid()`);
  assert.deepEqual(r.rows[0], { ssl: true, who: 'vr_client_js' });
});

test('each tenant gets its own nearest neighbours, disjoint from the other', async () => {
  const acme = tenantToken('acme');
  const globex = tenantToken('globex');
  for (let i = 0; i < 10; i++) {
    const q = randomVector();
    const a = await search(acme, q);
    const g = await search(globex, q);
    assert.ok(a.every((r) => r.tenant === 'acme') && g.every((r) => r.tenant === 'globex'));
    assert.equal(a[0].embedding.length, DIMS); // pgvector parsed the vector column
    assert.deepEqual(a.map((r) => r.id), await exact('acme', q));
    assert.deepEqual(g.map((r) => r.id), await exact('globex', q));
    const ids = new Set(a.map((r) => r.id));
    assert.ok(g.every((r) => !ids.has(r.id)));
  }
});

test('a write outside the scope is refused with 42501', async () => {
  await app.query('BEGIN');
  try {
    await app.query("SELECT set_config('vecrbac.token', $1, true)", [tenantToken('acme')]);
    await assert.rejects(
      app.query('INSERT INTO items (tenant, embedding) VALUES ($1, $2)', ['globex', pgvector.toSql(randomVector())]),
      (err) => err.code === '42501');
  } finally {
    await app.query('ROLLBACK');
  }
});

test('a forged token is refused with 28000', async () => {
  const forged = jwt.sign({ access: 'r', exp: Math.floor(Date.now() / 1000) + 600 }, 'a forged secret that is at least 32 bytes');
  await assert.rejects(search(forged, randomVector()), (err) => err.code === '28000');
});
