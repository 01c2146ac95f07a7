#!/usr/bin/python3
"""demo.py: two tenants, their tokens, the same query, each tenant's own neighbours.

Run by scripts/demo.sh against its throwaway cluster (PGHOST, PGPORT; the token secret
in VR_JWT_SECRET, also set as vecrbac.jwt_secret in the cluster's configuration).
"""
import os
import sys
import time

import jwt
import numpy as np
import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "data"))
import fashion_mnist  # noqa: E402

N = 10_000
SHOPS = {"shoe-shop": 7, "sandal-shop": 5}  # tenant -> Fashion-MNIST label (Sneaker, Sandal)


def connect(user):
    return psycopg.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=user,
                           dbname="postgres", autocommit=True)


def show(title, sql=None):
    print(f"\n-- {title}")
    if sql:
        print("   " + sql.strip().replace("\n", "\n   "))


def main():
    vectors, labels = fashion_mnist.load("train")
    vectors, labels = vectors[:N], labels[:N]
    test_vectors, test_labels = fashion_mnist.load("test")

    admin = connect("postgres")
    admin.execute("DROP TABLE IF EXISTS fashion")
    admin.execute("DROP EXTENSION IF EXISTS vecrbac CASCADE")
    admin.execute("CREATE EXTENSION vecrbac")
    admin.execute("DROP ROLE IF EXISTS shop_app")
    show("the administrator loads 10,000 Fashion-MNIST images; the label is the tenant key",
         "CREATE TABLE fashion (id bigserial PRIMARY KEY, label int NOT NULL,\n"
         "                      embedding vector(784) NOT NULL, payload jsonb NOT NULL);")
    admin.execute("CREATE TABLE fashion (id bigserial PRIMARY KEY, label int NOT NULL, "
                  "embedding vector(784) NOT NULL, payload jsonb NOT NULL)")
    admin.execute("ALTER TABLE fashion ALTER COLUMN embedding SET STORAGE PLAIN")
    t0 = time.time()
    with admin.cursor().copy("COPY fashion (label, embedding, payload) FROM STDIN") as copy:
        for v, l in zip(vectors, labels):
            copy.write_row((int(l), "[" + ",".join(str(int(x)) for x in v) + "]",
                            '{"class": "%s"}' % fashion_mnist.CLASSES[l]))
    print(f"   loaded {N} rows in {time.time() - t0:.1f} s")
    sql = "CREATE INDEX ON fashion USING hnsw (label, embedding vector_l2_ops, payload);"
    show("an hnsw index with the tenant key as its filter (partition) column", sql)
    t0 = time.time()
    admin.execute(sql)
    print(f"   built in {time.time() - t0:.1f} s")
    sql = "SELECT vecrbac.protect('fashion', key_columns => '{\"shop\": \"label\"}');"
    show("protect it: row-level security on, forced, and the token policies", sql)
    admin.execute(sql)
    admin.execute("CREATE ROLE shop_app LOGIN NOSUPERUSER NOBYPASSRLS")
    admin.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON fashion TO shop_app")
    admin.execute("GRANT USAGE ON SEQUENCE fashion_id_seq TO shop_app")

    secret = os.environ["VR_JWT_SECRET"]
    tokens = {}
    show("the issuer (any JWT library; here PyJWT) signs one token per shop with the shared secret")
    for shop, label in SHOPS.items():
        claims = {"sub": shop, "exp": int(time.time()) + 600,
                  "access": [{"collection": "fashion", "access": "rw", "payload": {"shop": label}}]}
        tokens[shop] = jwt.encode(claims, secret, algorithm="HS256")
        print(f"   {shop}: {jwt.decode(tokens[shop], options={'verify_signature': False})}")

    app = connect("shop_app")
    query = test_vectors[int(np.flatnonzero(test_labels == 9)[0])]  # an ankle boot from the test split
    qtext = "[" + ",".join(str(int(x)) for x in query) + "]"
    sql = "SELECT id, label, payload->>'class' AS class, round((embedding <-> $1)::numeric, 1) AS distance\n" \
          "FROM fashion ORDER BY embedding <-> $1 LIMIT 5;"
    show("the application connects as an ordinary role and runs the same query for each shop "
         "(the query image is an ankle boot)", sql)
    for shop in SHOPS:
        with app.transaction():
            app.execute("SELECT set_config('vecrbac.token', %s, true)", (tokens[shop],))
            rows = app.execute(sql.replace("$1", "%s"), (qtext, qtext)).fetchall()
        print(f"\n   as {shop}:")
        print("       id | label | class    | distance")
        for r in rows:
            print(f"   {r[0]:>6} | {r[1]:>5} | {r[2]:<8} | {r[3]}")
        assert all(r[1] == SHOPS[shop] for r in rows), "a row outside the tenant's scope"

    with app.transaction():
        app.execute("SELECT set_config('vecrbac.token', %s, true)", (tokens["shoe-shop"],))
        plan = app.execute("EXPLAIN (COSTS OFF) " + sql.replace("$1", "%s"), (qtext, qtext)).fetchall()
    show("the plan: the token's scope is an index condition, each accessor answers once per statement")
    for (line,) in plan:
        if "InitPlan" in line or "Index" in line or "Limit" in line:
            print("   " + (line if len(line) < 110 else line[:107] + "..."))

    sql = "INSERT INTO fashion (label, embedding, payload) VALUES (5, $1, '{\"class\": \"Sandal\"}');"
    show("shoe-shop tries to write a row into sandal-shop's scope", sql)
    try:
        with app.transaction():
            app.execute("SELECT set_config('vecrbac.token', %s, true)", (tokens["shoe-shop"],))
            app.execute(sql.replace("$1", "%s"), (qtext,))
        print("   UNEXPECTED: the write went through")
        sys.exit(1)
    except psycopg.errors.InsufficientPrivilege as e:
        print(f"   refused: SQLSTATE {e.sqlstate}: {e.diag.message_primary}")

    show("and without a token nothing is visible")
    try:
        app.execute("SELECT count(*) FROM fashion")
        sys.exit(1)
    except psycopg.errors.InsufficientPrivilege as e:
        print(f"   refused: SQLSTATE {e.sqlstate}: {e.diag.message_primary}")
    app.close()
    admin.close()


if __name__ == "__main__":
    main()
