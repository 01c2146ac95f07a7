// orm_knex.js: knex's own migrator against vecrbac. The first migration runs what knex
// users write for pgvector (knex.raw('CREATE EXTENSION IF NOT EXISTS vector') and the
// pgvector package's knex.schema.enableExtension('vector')), the second creates a table
// with the pgvector package's vector column builder and an hnsw index; rows go in through
// knex and come back ordered by <-> through the package's l2Distance helper. A rollback
// drops the companion and the table and leaves vecrbac; migrating again brings both back.
// Run from both starting points of orm/common.js.
//
// Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Knex = require('knex');
const pgvector = require('pgvector/knex');
const common = require('./orm/common');

const migrations = {
  '001_vector_extension': {
    up: async (knex) => {
      await knex.raw('CREATE EXTENSION IF NOT EXISTS vector');
      await knex.schema.enableExtension('vector');
    },
    down: (knex) => knex.raw('DROP EXTENSION vector'),
  },
  '002_items': {
    up: async (knex) => {
      await knex.schema.createTable('items', (t) => {
        t.increments('id');
        t.text('name').notNullable();
        t.vector('embedding', 3).notNullable();
      });
      await knex.raw('CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_l2_ops) WITH (m = 4)');
    },
    down: (knex) => knex.schema.dropTable('items'),
  },
};
const migrationSource = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (m) => m,
  getMigration: async (m) => migrations[m],
};

for (const start of common.STARTS) {
  const db = `vecrbac_orm_knex_${start.name}`;
  test(`knex migrations, ${start.name}`, async () => {
    await common.createDatabase(db, start.setup);
    const knex = Knex({ client: 'pg', connection: common.connection(db), pool: { min: 0, max: 2 } });
    try {
      const [, applied] = await knex.migrate.latest({ migrationSource });
      assert.deepEqual(applied, ['001_vector_extension', '002_items']);
      await common.assertExtensions(db);

      await knex('items').insert(common.ITEMS.map((i) => ({ name: i.name, embedding: pgvector.toSql(i.embedding) })));
      const query = knex('items').select('name', 'embedding').orderBy(knex.l2Distance('embedding', common.QUERY));
      const rows = await query;
      assert.deepEqual(rows.map((r) => r.name), common.EXPECTED_ORDER);
      assert.deepEqual(pgvector.fromSql(rows[0].embedding), [1, 1, 2]);
      const { sql, bindings } = query.limit(2).toSQL().toNative();
      await common.assertIndexPlan(db, sql, bindings, 'items_embedding_hnsw');

      // Rolling back drops the table and the companion; vecrbac and its type stay.
      await knex.migrate.rollback({ migrationSource }, true);
      const left = await knex.raw(`SELECT string_agg(extname, ',' ORDER BY extname) AS e FROM pg_extension
                                   WHERE extname IN ('vecrbac', 'vector')`);
      assert.equal(left.rows[0].e, 'vecrbac');
      assert.equal(await knex.schema.hasTable('items'), false);
      const [, again] = await knex.migrate.latest({ migrationSource });
      assert.deepEqual(again, ['001_vector_extension', '002_items']);
      await common.assertExtensions(db);
    } finally {
      await knex.destroy();
      await common.dropDatabase(db);
    }
  });
}
