# orm_activerecord.rb: Rails' ActiveRecord migrator against vecrbac, without a Rails app
# (Debian's ruby-activerecord and ruby-pg). The migrations in orm/activerecord/migrate are
# what a Rails user of pgvector writes: enable_extension "vector", then a table with a
# vector(3) column and an hnsw index (add_index using: :hnsw, opclass: :vector_l2_ops).
# For each starting point (vecrbac installed, or a fresh database where only
# CREATE EXTENSION vector CASCADE ran) ActiveRecord's MigrationContext migrates up, rows
# saved through a model come back ordered by <-> (the plan uses the index), a rollback
# to version 0 (disable_extension: DROP EXTENSION vector CASCADE) takes the companion and
# the table and leaves vecrbac, and migrating again brings both back. (ActiveRecord warns
# "unknown OID ...: failed to recognize type of 'embedding'" and reads vectors as strings,
# as it does with pgvector unless the neighbor gem is loaded.)
#
# Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT.
require "minitest/autorun"
require "active_record"
require "pg"

MIGRATIONS = File.join(__dir__, "orm", "activerecord", "migrate")
ITEMS = [["a", "[1,1,1]"], ["b", "[2,2,2]"], ["c", "[1,1,2]"], ["d", "[0,0,0]"]].freeze
QUERY = "[1,1,1.9]"
# Euclidean distances to QUERY: c 0.1, a 0.9, b 1.418, d 2.369.
EXPECTED_ORDER = %w[c a b d].freeze

class Item < ActiveRecord::Base
  self.table_name = "items"
end

class ActiveRecordMigrations < Minitest::Test
  def connection_config(db)
    { adapter: "postgresql", host: ENV.fetch("PGHOST", "127.0.0.1"), port: Integer(ENV.fetch("PGPORT")),
      username: "postgres", database: db, sslmode: "verify-full", sslrootcert: ENV.fetch("PGSSLROOTCERT") }
  end

  def admin(sql)
    c = PG.connect(host: ENV.fetch("PGHOST", "127.0.0.1"), port: Integer(ENV.fetch("PGPORT")), user: "postgres",
                   dbname: "postgres", sslmode: "verify-full", sslrootcert: ENV.fetch("PGSSLROOTCERT"))
    c.set_notice_receiver { |_| } # "database ... does not exist, skipping"
    c.exec(sql)
  ensure
    c&.close
  end

  def extensions
    ActiveRecord::Base.connection.select_values(
      "SELECT extname FROM pg_extension WHERE extname IN ('vecrbac', 'vector') ORDER BY 1")
  end

  def check_start(start, setup)
    db = "vecrbac_orm_activerecord_#{start}"
    admin("DROP DATABASE IF EXISTS #{db}")
    admin("CREATE DATABASE #{db}")
    ActiveRecord::Migration.verbose = false
    ActiveRecord::Base.establish_connection(connection_config(db))
    conn = ActiveRecord::Base.connection
    conn.execute(setup)
    context = ActiveRecord::MigrationContext.new(MIGRATIONS, ActiveRecord::SchemaMigration)

    context.migrate
    assert_equal [20240101000001, 20240101000002], context.get_all_versions
    assert_equal %w[vecrbac vector], extensions
    assert_equal "0.8.0", conn.select_value("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    assert_match(/USING hnsw \(embedding vector_l2_ops\)/,
                 conn.select_value("SELECT indexdef FROM pg_indexes WHERE indexname = 'items_embedding_hnsw'"))

    Item.reset_column_information
    ITEMS.each { |name, embedding| Item.create!(name: name, embedding: embedding) }
    order = Arel.sql(Item.sanitize_sql_array(["embedding <-> ?", QUERY]))
    rows = Item.order(order).to_a
    assert_equal EXPECTED_ORDER, rows.map(&:name)
    assert_equal "[1,1,2]", rows.first.embedding
    plan = Item.transaction do
      conn.execute("SET LOCAL enable_seqscan = off")
      Item.order(order).limit(2).explain
    end
    assert_match(/Index Scan using items_embedding_hnsw/, plan)

    context.migrate(0)
    assert_equal %w[vecrbac], extensions
    refute conn.table_exists?(:items)
    context.migrate
    assert_equal %w[vecrbac vector], extensions
  ensure
    ActiveRecord::Base.remove_connection
    admin("DROP DATABASE IF EXISTS #{db} WITH (FORCE)")
  end

  def test_vecrbac_present
    check_start("vecrbac_present", "CREATE EXTENSION vecrbac")
  end

  def test_fresh_cascade
    check_start("fresh_cascade", "CREATE EXTENSION vector CASCADE")
  end
end
