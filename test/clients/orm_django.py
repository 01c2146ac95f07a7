#!/usr/bin/python3
"""orm_django.py: Django's own migrations against vecrbac (Debian's python3-django, psycopg2).

The project in orm/django has one app whose initial migration is what a Django user of
pgvector writes: CreateExtension('vector') (pgvector-python's VectorExtension, which is
not packaged in Debian), a model with a vector(3) field and an hnsw index (Django's
PostgresIndex with USING hnsw and WITH (m, ef_construction)). For each starting point
(vecrbac installed, or a fresh database where only CREATE EXTENSION vector CASCADE ran)
the test runs the real `manage.py migrate`, checks that makemigrations finds the models
and the migration in agreement, inserts rows and orders them by <-> through the ORM (the
plan must use the index), unapplies the migration (which drops the companion and the
table, not vecrbac) and applies it again.

Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT.
"""
import json
import os
import subprocess
import sys
import unittest

import psycopg

PROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "orm", "django")
STARTS = [("vecrbac_present", "CREATE EXTENSION vecrbac"), ("fresh_cascade", "CREATE EXTENSION vector CASCADE")]
ITEMS = [{"name": "a", "embedding": [1, 1, 1]}, {"name": "b", "embedding": [2, 2, 2]},
         {"name": "c", "embedding": [1, 1, 2]}, {"name": "d", "embedding": [0, 0, 0]}]
QUERY = [1, 1, 1.9]
# Euclidean distances to QUERY: c 0.1, a 0.9, b 1.418, d 2.369.
EXPECTED_ORDER = ["c", "a", "b", "d"]


def connect(dbname):
    return psycopg.connect(host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ["PGPORT"], user="postgres",
                           dbname=dbname, autocommit=True, sslmode="verify-full",
                           sslrootcert=os.environ["PGSSLROOTCERT"])


def manage(db, *args):
    env = {**os.environ, "VR_DJANGO_DB": db, "DJANGO_SETTINGS_MODULE": "vrsite.settings"}
    run = subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    return run.stdout


def extensions(db):
    with connect(db) as c:
        return [r[0] for r in c.execute("SELECT extname FROM pg_extension WHERE extname IN ('vecrbac', 'vector') "
                                        "ORDER BY 1")]


class DjangoMigrations(unittest.TestCase):
    def check_start(self, start, setup):
        db = f"vecrbac_orm_django_{start}"
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.execute(f"CREATE DATABASE {db}")
        try:
            with connect(db) as c:
                c.execute(setup)
            out = manage(db, "migrate", "--no-color", "items")
            self.assertIn("Applying items.0001_initial... OK", out)
            self.assertEqual(extensions(db), ["vecrbac", "vector"])
            with connect(db) as c:
                (indexdef,) = c.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'items_embedding_hnsw'"
                                        ).fetchone()
            self.assertRegex(indexdef, r"USING hnsw \(embedding vector_l2_ops\) WITH \(m='?4'?, ef_construction='?16'?\)")
            self.assertIn("No changes detected", manage(db, "makemigrations", "--check", "--dry-run", "items"))

            result = json.loads(manage(db, "vector_order", json.dumps(ITEMS), json.dumps(QUERY)))
            self.assertEqual(result["names"], EXPECTED_ORDER)
            self.assertEqual(result["nearest"], [1.0, 1.0, 2.0])
            self.assertIn("Index Scan using items_embedding_hnsw", result["plan"])

            # Unapplying runs DROP EXTENSION vector: the companion goes, vecrbac stays.
            manage(db, "migrate", "--no-color", "items", "zero")
            self.assertEqual(extensions(db), ["vecrbac"])
            self.assertIn("Applying items.0001_initial... OK", manage(db, "migrate", "--no-color", "items"))
            self.assertEqual(extensions(db), ["vecrbac", "vector"])
        finally:
            with connect("postgres") as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    def test_vecrbac_present(self):
        self.check_start(*STARTS[0])

    def test_fresh_cascade(self):
        self.check_start(*STARTS[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
