// common.js: what the ORM migration tests (test/clients/orm_*.js) share: the connection to
// the test cluster (TLS, verify-full), the two starting points of a database, and the
// rows every test inserts with the order a nearest-neighbour query must return them in.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const pg = require('pg');

const connection = (database) => ({
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT),
  user: 'postgres',
  database,
  ssl: { ca: fs.readFileSync(process.env.PGSSLROOTCERT, 'utf8'), rejectUnauthorized: true },
});

// Where a migration starts: vecrbac already installed (the ORM's CREATE EXTENSION IF NOT
// EXISTS vector then creates the companion), or a fresh database where the only step
// before the ORM is "CREATE EXTENSION vector CASCADE". (On a database with neither, the
// ORMs' bare CREATE EXTENSION vector fails: the companion requires vecrbac.)
const STARTS = [
  { name: 'vecrbac_present', setup: 'CREATE EXTENSION vecrbac' },
  { name: 'fresh_cascade', setup: 'CREATE EXTENSION vector CASCADE' },
];

async function withClient(database, fn) {
  const c = new pg.Client(connection(database));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// Creates database `name` (dropped first if left over) and runs the start's setup in it.
async function createDatabase(name, setup) {
  await withClient('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  await withClient(name, (c) => c.query(setup));
}

async function dropDatabase(name) {
  await withClient('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

// Both extensions must be there after the migration, the companion at pgvector's version.
async function assertExtensions(name) {
  const rows = await withClient(name, async (c) =>
    (await c.query(`SELECT extname, extversion FROM pg_extension
                    WHERE extname IN ('vecrbac', 'vector') ORDER BY 1`)).rows);
  assert.deepEqual(rows.map((r) => r.extname), ['vecrbac', 'vector']);
  assert.equal(rows[1].extversion, '0.8.0');
}

// The query's plan, with sequential scans off, must use the hnsw index.
async function assertIndexPlan(name, sql, params, index) {
  const plan = await withClient(name, async (c) => {
    await c.query('SET enable_seqscan = off');
    return (await c.query(`EXPLAIN (COSTS OFF) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  assert.match(plan, new RegExp(`Index Scan using ${index}`), plan);
}

const ITEMS = [
  { name: 'a', embedding: [1, 1, 1] },
  { name: 'b', embedding: [2, 2, 2] },
  { name: 'c', embedding: [1, 1, 2] },
  { name: 'd', embedding: [0, 0, 0] },
];
const QUERY = [1, 1, 1.9];
// Euclidean distances to QUERY: c 0.1, a 0.9, b 1.418, d 2.369.
const EXPECTED_ORDER = ['c', 'a', 'b', 'd'];

module.exports = { connection, STARTS, withClient, createDatabase, dropDatabase, assertExtensions, assertIndexPlan, ITEMS, QUERY, EXPECTED_ORDER };
