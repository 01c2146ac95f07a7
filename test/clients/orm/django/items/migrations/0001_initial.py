# The migration a Django user of pgvector writes: pgvector-python's VectorExtension() is
# django.contrib.postgres.operations.CreateExtension('vector'), here used directly.
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models

import items.vector


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("vector"),
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.TextField()),
                ("embedding", items.vector.VectorField(dimensions=3)),
            ],
            options={
                "db_table": "items",
            },
        ),
        migrations.AddIndex(
            model_name="item",
            index=items.vector.HnswIndex(fields=["embedding"], name="items_embedding_hnsw",
                                         opclasses=["vector_l2_ops"], m=4, ef_construction=16),
        ),
    ]
