# A vector(3) column and an hnsw index through ActiveRecord's schema statements.
class CreateItems < ActiveRecord::Migration[6.1]
  def change
    create_table :items do |t|
      t.text :name, null: false
      t.column :embedding, "vector(3)", null: false
    end
    add_index :items, :embedding, name: "items_embedding_hnsw", using: :hnsw, opclass: :vector_l2_ops
  end
end
