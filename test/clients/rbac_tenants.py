#!/usr/bin/python3
"""rbac_tenants.py: two tenants searching one protected table, from Python (psycopg, PyJWT).

The issuer side mints tokens with PyJWT and the shared secret; the application side
connects over TLS (sslmode=verify-full against the test cluster's self-signed
certificate) as an ordinary role, presents each tenant's token and runs the same
nearest-neighbour query. Each tenant must get exactly its own nearest neighbours (the
exact top-k of its rows), the two result sets must be disjoint, a write outside the
token's scope must fail with 42501, and a forged or expired token with 28000.

Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT, VR_JWT_SECRET.
"""
import os
import random
import time
import unittest

import jwt
import psycopg

DB = "vecrbac_rbac_py"
DIMS = 8


def connect(dbname, user="postgres"):
    return psycopg.connect(host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ["PGPORT"],
                           user=user, dbname=dbname, autocommit=True, sslmode="verify-full",
                           sslrootcert=os.environ["PGSSLROOTCERT"])


def vec(v):
    return "[" + ",".join(f"{x:.6f}" for x in v) + "]"


def token(claims, secret=None):
    claims = {"exp": int(time.time()) + 600, **claims}
    return jwt.encode(claims, secret or os.environ["VR_JWT_SECRET"], algorithm="HS256")


def tenant_token(tenant, mode="rw"):
    return token({"sub": tenant, "access": [{"collection": "items", "access": mode,
                                             "payload": {"tenant": tenant}}]})


class TwoTenants(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
            admin.execute("DROP ROLE IF EXISTS vr_client_py")
            admin.execute("CREATE ROLE vr_client_py LOGIN NOSUPERUSER NOBYPASSRLS")
        cls.admin = connect(DB)
        a = cls.admin
        a.execute("CREATE EXTENSION vecrbac")
        a.execute(f"CREATE TABLE items (id bigserial PRIMARY KEY, tenant text NOT NULL, "
                  f"embedding vector({DIMS}) NOT NULL, payload jsonb NOT NULL DEFAULT '{{}}')")
        rng = random.Random(7)
        rows = [(t, vec([rng.random() for _ in range(DIMS)])) for t in ("acme", "globex") for _ in range(300)]
        with a.cursor() as cur:
            cur.executemany("INSERT INTO items (tenant, embedding) VALUES (%s, %s::vector)", rows)
        a.execute("CREATE INDEX ON items USING hnsw (tenant, embedding vector_l2_ops, payload)")
        a.execute("SELECT vecrbac.protect('items', key_columns => '{\"tenant\": \"tenant\"}')")
        a.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON items TO vr_client_py")
        a.execute("GRANT USAGE ON SEQUENCE items_id_seq TO vr_client_py")
        cls.app = connect(DB, "vr_client_py")
        cls.queries = [vec([rng.random() for _ in range(DIMS)]) for _ in range(10)]

    @classmethod
    def tearDownClass(cls):
        cls.app.close()
        cls.admin.close()
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE {DB}")
            admin.execute("DROP ROLE vr_client_py")

    def search(self, tok, q, k=10):
        with self.app.transaction():
            self.app.execute("SELECT set_config('vecrbac.token', %s, true)", (tok,))
            return [r[0] for r in self.app.execute(
                "SELECT id FROM items ORDER BY embedding <-> %s::vector LIMIT %s", (q, k))]

    def exact(self, tenant, q, k=10):
        return [r[0] for r in self.admin.execute(
            "SELECT id FROM items WHERE tenant = %s ORDER BY embedding <-> %s::vector LIMIT %s", (tenant, q, k))]

    def test_connection_is_encrypted_and_unprivileged(self):
        row = self.app.execute("SELECT ssl, current_user, (SELECT rolsuper OR rolbypassrls FROM pg_roles "
                               "WHERE rolname = current_user) FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        self.assertEqual(row, (True, "vr_client_py", False))

    def test_each_tenant_gets_its_own_nearest_neighbours(self):
        acme, globex = tenant_token("acme"), tenant_token("globex")
        for q in self.queries:
            a, g = self.search(acme, q), self.search(globex, q)
            self.assertEqual(a, self.exact("acme", q))
            self.assertEqual(g, self.exact("globex", q))
            self.assertFalse(set(a) & set(g))

    def test_write_outside_scope_is_refused(self):
        acme = tenant_token("acme")
        with self.assertRaises(psycopg.errors.InsufficientPrivilege):
            with self.app.transaction():
                self.app.execute("SELECT set_config('vecrbac.token', %s, true)", (acme,))
                self.app.execute("INSERT INTO items (tenant, embedding) VALUES ('globex', %s::vector)",
                                 (self.queries[0],))
        with self.app.transaction():
            self.app.execute("SELECT set_config('vecrbac.token', %s, true)", (acme,))
            n = self.app.execute("UPDATE items SET payload = '{\"seen\": true}' WHERE tenant = 'globex'").rowcount
            self.assertEqual(n, 0)

    def test_bad_tokens_are_refused(self):
        forged = token({"access": "r"}, secret="a forged secret that is at least 32 bytes")
        expired = token({"access": "r", "exp": int(time.time()) - 3600})
        for tok in (forged, expired):
            with self.assertRaises(psycopg.errors.InvalidAuthorizationSpecification):
                self.search(tok, self.queries[0])
        with self.assertRaises(psycopg.errors.InsufficientPrivilege):
            self.search("", self.queries[0])

    def test_login_with_a_bind_parameter(self):
        self.app.execute("SELECT vecrbac.login(%s)", (token({"access": "r"}),))
        try:
            n = self.app.execute("SELECT count(*) FROM items").fetchone()[0]
            self.assertEqual(n, 600)
        finally:
            self.app.execute("SELECT vecrbac.logout()")


if __name__ == "__main__":
    unittest.main(verbosity=2)
