// orm_typeorm.js: TypeORM against vecrbac. TypeORM knows pgvector's type: a DataSource
// whose entities have a "vector" column runs CREATE EXTENSION IF NOT EXISTS "vector"
// itself when it connects (and only warns if that fails). Then TypeORM's migrator runs a
// migration that issues the same statement, creates the table through TypeORM's schema
// API with a vector(3) column and adds an hnsw index; TypeORM's schema builder must then
// find the table in sync with the entity (it read the vector column back), and rows saved
// through a repository come back ordered by <->. Run from both starting points of
// orm/common.js.
//
// Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { DataSource, EntitySchema, Table } = require('typeorm');
const pgvector = require('pgvector');
const common = require('./orm/common');

const Item = new EntitySchema({
  name: 'Item',
  tableName: 'items',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'text' },
    embedding: { type: 'vector', length: 3 },
  },
  // TypeORM cannot spell USING hnsw: the migration makes the index, synchronize leaves it alone.
  indices: [{ name: 'items_embedding_hnsw', columns: ['embedding'], synchronize: false }],
});

class CreateItems1700000000000 {
  name = 'CreateItems1700000000000';
  async up(queryRunner) {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS vector');
    await queryRunner.createTable(new Table({
      name: 'items',
      columns: [
        { name: 'id', type: 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'name', type: 'text' },
        { name: 'embedding', type: 'vector', length: '3' },
      ],
    }));
    await queryRunner.query('CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_l2_ops)');
  }
  async down(queryRunner) {
    await queryRunner.dropTable('items');
  }
}

const extensions = async (ds) =>
  (await ds.query(`SELECT string_agg(extname, ',' ORDER BY extname) AS e FROM pg_extension
                   WHERE extname IN ('vecrbac', 'vector')`))[0].e;

for (const start of common.STARTS) {
  const db = `vecrbac_orm_typeorm_${start.name}`;
  test(`typeorm migrations, ${start.name}`, async () => {
    await common.createDatabase(db, start.setup);
    const c = common.connection(db);
    const ds = new DataSource({
      type: 'postgres', host: c.host, port: c.port, username: c.user, database: db, ssl: c.ssl,
      entities: [Item], migrations: [CreateItems1700000000000], synchronize: false, logging: false,
    });
    try {
      await ds.initialize();
      // TypeORM's own CREATE EXTENSION IF NOT EXISTS "vector", on connecting.
      assert.equal(await extensions(ds), 'vecrbac,vector');
      const applied = await ds.runMigrations();
      assert.deepEqual(applied.map((m) => m.name), ['CreateItems1700000000000']);
      await common.assertExtensions(db);
      const pending = await ds.driver.createSchemaBuilder().log();
      assert.deepEqual(pending.upQueries.map((q) => q.query), []);

      const repo = ds.getRepository(Item);
      await repo.save(common.ITEMS.map((i) => ({ ...i })));
      const rows = await repo.createQueryBuilder('item')
        .orderBy('item.embedding <-> :q')
        .setParameters({ q: pgvector.toSql(common.QUERY) })
        .getMany();
      assert.deepEqual(rows.map((r) => r.name), common.EXPECTED_ORDER);
      assert.deepEqual(rows[0].embedding, [1, 1, 2]);
      await common.assertIndexPlan(db, 'SELECT name FROM items ORDER BY embedding <-> $1 LIMIT 2',
        [pgvector.toSql(common.QUERY)], 'items_embedding_hnsw');
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await common.dropDatabase(db);
    }
  });
}
