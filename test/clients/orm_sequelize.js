// orm_sequelize.js: Sequelize against vecrbac, as the pgvector package documents it:
// CREATE EXTENSION IF NOT EXISTS vector through sequelize.query, the package's VECTOR
// data type registered, then Sequelize's sync() creates the table and the model's hnsw
// index (using: 'hnsw', operator: 'vector_l2_ops'); rows created through the model come
// back ordered by the package's l2Distance. A second sync({ alter: true }), which reads
// the table back from the catalog and alters its columns, must keep every row. Run from
// both starting points of orm/common.js.
//
// Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Sequelize, DataTypes } = require('sequelize');
const pgvector = require('pgvector/sequelize');
const common = require('./orm/common');

pgvector.registerTypes(Sequelize);

for (const start of common.STARTS) {
  const db = `vecrbac_orm_sequelize_${start.name}`;
  test(`sequelize sync, ${start.name}`, async () => {
    await common.createDatabase(db, start.setup);
    const c = common.connection(db);
    const sequelize = new Sequelize(db, c.user, null, {
      dialect: 'postgres', host: c.host, port: c.port, dialectOptions: { ssl: c.ssl }, logging: false,
    });
    try {
      await sequelize.query('CREATE EXTENSION IF NOT EXISTS vector');
      const Item = sequelize.define('Item', {
        name: { type: DataTypes.TEXT, allowNull: false },
        embedding: { type: DataTypes.VECTOR(3), allowNull: false },
      }, {
        tableName: 'items',
        timestamps: false,
        indexes: [{ name: 'items_embedding_hnsw', fields: ['embedding'], using: 'hnsw', operator: 'vector_l2_ops' }],
      });
      await sequelize.sync();
      await common.assertExtensions(db);
      const [[index]] = await sequelize.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'items_embedding_hnsw'`);
      assert.match(index.indexdef, /USING hnsw \(embedding vector_l2_ops\)/);

      await Item.bulkCreate(common.ITEMS);
      const rows = await Item.findAll({ order: pgvector.l2Distance('embedding', common.QUERY, sequelize) });
      assert.deepEqual(rows.map((r) => r.name), common.EXPECTED_ORDER);
      assert.deepEqual(rows[0].embedding, [1, 1, 2]);
      await common.assertIndexPlan(db, 'SELECT name FROM items ORDER BY embedding <-> $1 LIMIT 2',
        ['[1,1,1.9]'], 'items_embedding_hnsw');

      // sync({ alter }) reads the vector column back from the catalog and keeps the data.
      await sequelize.sync({ alter: true });
      assert.equal(await Item.count(), common.ITEMS.length);
    } finally {
      await sequelize.close();
      await common.dropDatabase(db);
    }
  });
}
