#!/usr/bin/python3
"""pooler_pgbouncer.py: session tokens behind a real PgBouncer in transaction mode.

A transaction-pooling pooler hands one server connection to client after client. A
token set for the session (SET, set_config(..., false), login(token)) stays on that
server connection after its client is gone, and the next client that sends no token
inherits it. This test shows the leak with the default vecrbac.token_lifetime =
'session', then that 'transaction' closes it: session-level tokens are refused for
every client of that connection, and tokens set per transaction (SET LOCAL,
set_config(..., true), login(token, local => true)) serve each client its own rows.

PgBouncer (Debian's) is started here on a free loopback port, with one server
connection per database, so that every client shares it; it is stopped at the end.

Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT, VR_JWT_SECRET.
"""
import os
import pwd
import shutil
import socket
import subprocess
import time
import unittest

import jwt
import psycopg

LOOSE = "vecrbac_pool_session"      # vecrbac.token_lifetime = 'session' (the default)
STRICT = "vecrbac_pool_transaction"  # vecrbac.token_lifetime = 'transaction'
ROLE = "vr_pool"
WORKDIR = os.path.join(os.getcwd(), "tmp_check", "clients", "pgbouncer")


def direct(dbname):
    return psycopg.connect(host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ["PGPORT"],
                           user="postgres", dbname=dbname, autocommit=True, sslmode="verify-full",
                           sslrootcert=os.environ["PGSSLROOTCERT"])


def token(tenant):
    return jwt.encode({"exp": int(time.time()) + 600, "sub": tenant,
                       "access": [{"collection": "items", "access": "rw", "payload": {"tenant": tenant}}]},
                      os.environ["VR_JWT_SECRET"], algorithm="HS256")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgBouncerTransactionMode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with direct("postgres") as admin:
            for db in (LOOSE, STRICT):
                admin.execute(f"DROP DATABASE IF EXISTS {db}")
                admin.execute(f"CREATE DATABASE {db}")
            admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
            admin.execute(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            admin.execute(f"ALTER DATABASE {STRICT} SET vecrbac.token_lifetime = 'transaction'")
        for db in (LOOSE, STRICT):
            with direct(db) as a:
                a.execute("CREATE EXTENSION vecrbac")
                a.execute("CREATE TABLE items (id int PRIMARY KEY, tenant text NOT NULL, "
                          "payload jsonb NOT NULL DEFAULT '{}')")
                a.execute("INSERT INTO items SELECT i, CASE WHEN i <= 10 THEN 'acme' ELSE 'globex' END "
                          "FROM generate_series(1, 25) i")
                a.execute("""SELECT vecrbac.protect('items', key_columns => '["tenant"]')""")
                a.execute(f"GRANT SELECT ON items TO {ROLE}")
        cls.port = free_port()
        cls.bouncer = cls.start_pgbouncer(cls.port)

    @classmethod
    def start_pgbouncer(cls, port):
        shutil.rmtree(WORKDIR, ignore_errors=True)
        os.makedirs(WORKDIR)
        server = f"host=127.0.0.1 port={os.environ['PGPORT']}"
        with open(os.path.join(WORKDIR, "pgbouncer.ini"), "w") as f:
            f.write(f"""[databases]
{LOOSE} = {server} dbname={LOOSE}
{STRICT} = {server} dbname={STRICT}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {WORKDIR}/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
server_tls_sslmode = verify-full
server_tls_ca_file = {os.environ['PGSSLROOTCERT']}
logfile = {WORKDIR}/pgbouncer.log
pidfile = {WORKDIR}/pgbouncer.pid
""")
        with open(os.path.join(WORKDIR, "users.txt"), "w") as f:
            f.write(f'"{ROLE}" ""\n')
        command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", os.path.join(WORKDIR, "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            pg = pwd.getpwnam("postgres")
            for name in os.listdir(WORKDIR) + [""]:
                os.chown(os.path.join(WORKDIR, name), pg.pw_uid, pg.pw_gid)
            command = ["runuser", "-u", "postgres", "--"] + command
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return proc
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("pgbouncer did not start: " +
                                       open(os.path.join(WORKDIR, "pgbouncer.log")).read()[-2000:])
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.bouncer.terminate()
        cls.bouncer.wait(timeout=30)

    def client(self, db):
        # prepare_threshold=None: PgBouncer 1.18 in transaction mode cannot keep prepared statements
        return psycopg.connect(host="127.0.0.1", port=self.port, user=ROLE, dbname=db,
                               autocommit=True, sslmode="disable", prepare_threshold=None)

    def tenants_seen(self, conn):
        return {t for (t,) in conn.execute("SELECT DISTINCT tenant FROM items").fetchall()}

    def test_session_token_leaks_by_default(self):
        """The hazard the setting exists for: the next client inherits a session token."""
        with self.client(LOOSE) as a, self.client(LOOSE) as b:
            a.execute("SELECT set_config('vecrbac.token', %s, false)", (token("acme"),))
            a.close()
            self.assertEqual(self.tenants_seen(b), {"acme"}, "b sent no token but sees acme's rows")
            b.execute("RESET vecrbac.token")

    def test_transaction_lifetime_refuses_session_tokens(self):
        with self.client(STRICT) as a, self.client(STRICT) as b:
            for set_session in ("SELECT set_config('vecrbac.token', %s, false)",
                                "SELECT vecrbac.login(%s)"):
                try:
                    a.execute(set_session, (token("acme"),))
                    a.execute("SELECT count(*) FROM items").fetchone()
                    self.fail("a session-level token was accepted: " + set_session)
                except psycopg.Error as e:
                    self.assertEqual(e.sqlstate, "28000", str(e))
                    self.assertIn("a token set for the session is not accepted", str(e))
                # b, on the same server connection, sends no token: refused as well, never acme's rows
                with self.assertRaises(psycopg.Error) as refused:
                    self.tenants_seen(b)
                self.assertIn(refused.exception.sqlstate, ("28000", "42501"))
                a.execute("RESET vecrbac.token")
            with self.assertRaises(psycopg.Error) as none:
                self.tenants_seen(b)
            self.assertEqual(none.exception.sqlstate, "42501")

    def test_transaction_tokens_serve_each_client(self):
        clients = [self.client(STRICT) for _ in range(4)]
        try:
            for round_ in range(5):
                for i, c in enumerate(clients):
                    tenant = ("acme", "globex")[(i + round_) % 2]
                    with c.transaction():
                        if i % 3 == 0:
                            c.execute("SET LOCAL vecrbac.token = '%s'" % token(tenant))
                        elif i % 3 == 1:
                            c.execute("SELECT set_config('vecrbac.token', %s, true)", (token(tenant),))
                        else:
                            c.execute("SELECT vecrbac.login(%s, local => true)", (token(tenant),))
                        self.assertEqual(self.tenants_seen(c), {tenant})
                    # after its transaction, the next statement has no token
                    with self.assertRaises(psycopg.Error) as none:
                        self.tenants_seen(c)
                    self.assertEqual(none.exception.sqlstate, "42501")
        finally:
            for c in clients:
                c.close()

    def test_only_a_superuser_sets_the_lifetime(self):
        with self.client(STRICT) as c:
            c.execute("SELECT vecrbac.claims()")  # the library is loaded: its settings are defined
            with self.assertRaises(psycopg.Error) as denied:
                c.execute("SET vecrbac.token_lifetime = 'session'")
            self.assertEqual(denied.exception.sqlstate, "42501")


if __name__ == "__main__":
    unittest.main(verbosity=2)
