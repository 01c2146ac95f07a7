# What a Rails user of pgvector writes (the neighbor gem's generator does the same).
class EnableVector < ActiveRecord::Migration[6.1]
  def change
    enable_extension "vector"
  end
end
