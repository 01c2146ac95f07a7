"""What pgvector-python's Django module provides (it is not packaged in Debian), written
for this test: a vector(n) model field, an hnsw index and the <-> distance expression."""
from django.contrib.postgres.indexes import PostgresIndex
from django.db import models
from django.db.models.functions import Cast


class VectorField(models.Field):
    """A vector(dimensions) column; Python lists of floats on the model side."""

    description = "vector"

    def __init__(self, *args, dimensions=None, **kwargs):
        self.dimensions = dimensions
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.dimensions is not None:
            kwargs["dimensions"] = self.dimensions
        return name, path, args, kwargs

    def db_type(self, connection):
        return "vector" if self.dimensions is None else f"vector({self.dimensions})"

    def get_prep_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return "[" + ",".join(repr(float(x)) for x in value) + "]"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return [float(x) for x in value[1:-1].split(",")] if value != "[]" else []


class HnswIndex(PostgresIndex):
    """CREATE INDEX ... USING hnsw (...) WITH (m = ..., ef_construction = ...)."""

    suffix = "hnsw"

    def __init__(self, *expressions, m=None, ef_construction=None, **kwargs):
        self.m = m
        self.ef_construction = ef_construction
        super().__init__(*expressions, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        if self.m is not None:
            kwargs["m"] = self.m
        if self.ef_construction is not None:
            kwargs["ef_construction"] = self.ef_construction
        return path, args, kwargs

    def get_with_params(self):
        params = []
        if self.m is not None:
            params.append(f"m = {int(self.m)}")
        if self.ef_construction is not None:
            params.append(f"ef_construction = {int(self.ef_construction)}")
        return params


class L2Distance(models.Func):
    """expression <-> vector, the query vector sent as a cast literal."""

    function = ""
    arg_joiner = " <-> "
    output_field = models.FloatField()

    def __init__(self, expression, vector, **extra):
        if not hasattr(vector, "resolve_expression"):
            field = VectorField(dimensions=len(vector))
            vector = Cast(models.Value(field.get_prep_value(vector)), field)
        super().__init__(expression, vector, **extra)
