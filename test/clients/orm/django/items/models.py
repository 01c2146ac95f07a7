from django.db import models

from items.vector import HnswIndex, VectorField


class Item(models.Model):
    name = models.TextField()
    embedding = VectorField(dimensions=3)

    class Meta:
        db_table = "items"
        indexes = [HnswIndex(fields=["embedding"], name="items_embedding_hnsw", opclasses=["vector_l2_ops"],
                             m=4, ef_construction=16)]
