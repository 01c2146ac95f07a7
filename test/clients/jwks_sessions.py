#!/usr/bin/python3
"""jwks_sessions.py: session tokens from an identity provider, verified with vecrbac.jwks.

The provider side is PyJWT with RSA, EC P-256, EC P-384 and Ed25519 keys; its public keys are
published as a JSON Web Key Set (each with kid and alg) that an administrator loads
with ALTER SYSTEM and pg_reload_conf(), with no restart. Tokens carry their key's kid,
an issuer and an audience, and the grants in a namespaced claim. The test checks that
each kind of key serves its tenant's rows; that rotation works (old and new kid both
valid, then the old removed, while connections stay open); that a key set an
administrator gets wrong is refused when it is set (too short or too long RSA moduli, a
P-384 key given ES256, duplicate kids, a key without alg, private members) and leaves the previous
set in force; and that a token naming its own algorithm or an unknown kid is refused.

Environment (test/clients/run.sh): PGHOST, PGPORT, PGSSLROOTCERT, VR_JWT_SECRET.
"""
import base64
import json
import os
import time
import unittest

import jwt
import psycopg
from psycopg import sql
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

DB = "vecrbac_jwks_py"
ISSUER = "https://idp.example/"
CLAIM = "https://vecrbac.example/claims"


def connect(dbname, user="postgres"):
    return psycopg.connect(host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ["PGPORT"],
                           user=user, dbname=dbname, autocommit=True, sslmode="verify-full",
                           sslrootcert=os.environ["PGSSLROOTCERT"])


class Provider:
    """One signing key of the identity provider."""

    def __init__(self, kid, alg):
        self.kid, self.alg = kid, alg
        if alg in ("RS256", "PS256"):
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            to_jwk = RSAAlgorithm.to_jwk
        elif alg in ("ES256", "ES384"):
            self.private = ec.generate_private_key(ec.SECP256R1() if alg == "ES256" else ec.SECP384R1())
            to_jwk = ECAlgorithm.to_jwk
        else:
            self.private = ed25519.Ed25519PrivateKey.generate()
            to_jwk = OKPAlgorithm.to_jwk
        self.jwk = {**json.loads(to_jwk(self.private.public_key())), "kid": kid, "alg": alg, "use": "sig"}
        if alg in ("ES256", "ES384"):
            # RFC 7518 6.2.1.2: a coordinate is the curve's full size. PyJWT before 2.8
            # (Debian 12 has 2.6) drops leading zero bytes, one key in 128; vecrbac
            # refuses such a key, so the test writes the coordinates itself.
            numbers, size = self.private.public_key().public_numbers(), 32 if alg == "ES256" else 48
            for name in ("x", "y"):
                self.jwk[name] = base64.urlsafe_b64encode(
                    getattr(numbers, name).to_bytes(size, "big")).rstrip(b"=").decode()

    def token(self, tenant, **overrides):
        claims = {"iss": ISSUER, "aud": ["vectors"], "sub": tenant, "exp": int(time.time()) + 600,
                  CLAIM: {"access": [{"collection": "items", "access": "r", "payload": {"tenant": tenant}}]}}
        claims.update(overrides)
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid})


def jwks(*providers):
    return json.dumps({"keys": [p.jwk for p in providers]})


class JwksSessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
            admin.execute("DROP ROLE IF EXISTS vr_jwks")
            admin.execute("CREATE ROLE vr_jwks LOGIN NOSUPERUSER NOBYPASSRLS")
            admin.execute(f"ALTER DATABASE {DB} SET vecrbac.issuer = '{ISSUER}'")
            admin.execute(f"ALTER DATABASE {DB} SET vecrbac.audience = 'vectors'")
            admin.execute(f"ALTER DATABASE {DB} SET vecrbac.claims_path = '{CLAIM}'")
        cls.admin = connect(DB)
        a = cls.admin
        a.execute("CREATE EXTENSION vecrbac")
        a.execute("CREATE TABLE items (id int PRIMARY KEY, tenant text NOT NULL, payload jsonb NOT NULL DEFAULT '{}')")
        a.execute("INSERT INTO items SELECT i, CASE WHEN i % 2 = 0 THEN 'acme' ELSE 'globex' END "
                  "FROM generate_series(1, 20) i")
        a.execute("""SELECT vecrbac.protect('items', key_columns => '["tenant"]')""")
        a.execute("GRANT SELECT ON items TO vr_jwks")
        cls.keys = {alg: Provider(f"{alg.lower()}-2026-1", alg) for alg in ("RS256", "PS256", "ES256", "ES384", "EdDSA")}
        cls.app = connect(DB, "vr_jwks")  # stays open across every key set change

    @classmethod
    def tearDownClass(cls):
        cls.app.close()
        cls.load_jwks(None)
        cls.admin.close()

    @classmethod
    def load_jwks(cls, document):
        """As an administrator (or a cron job) would: ALTER SYSTEM, then reload."""
        if document is None:
            cls.admin.execute("ALTER SYSTEM RESET vecrbac.jwks")
        else:
            cls.admin.execute("ALTER SYSTEM SET vecrbac.jwks = %s" % sql.quote(document))
        cls.admin.execute("SELECT pg_reload_conf()")

    def outcome(self, token):
        try:
            with self.app.transaction():
                self.app.execute("SELECT set_config('vecrbac.token', %s, true)", (token,))
                return sorted({t for (t,) in self.app.execute("SELECT tenant FROM items").fetchall()})
        except psycopg.Error as e:
            return f"{e.sqlstate} {e.diag.message_primary}"

    def eventually(self, token, expected):
        """The open connection reads the reloaded file at its next command after the
        signal, which arrives asynchronously: poll (bounded), assert the outcome."""
        deadline = time.monotonic() + 30
        while True:
            got = self.outcome(token)
            if got == expected or time.monotonic() > deadline:
                self.assertEqual(got, expected)
                return
            time.sleep(0.05)

    def test_1_every_kind_of_key(self):
        self.load_jwks(jwks(*self.keys.values()))
        for alg, provider in self.keys.items():
            with self.subTest(alg=alg):
                self.eventually(provider.token("acme"), ["acme"])
                self.assertEqual(self.outcome(provider.token("globex")), ["globex"])

    def test_2_refusals(self):
        self.load_jwks(jwks(*self.keys.values()))
        rs = self.keys["RS256"]
        self.eventually(rs.token("acme"), ["acme"])
        stranger = Provider("rs256-2026-1", "RS256")  # same kid, another key
        self.assertEqual(self.outcome(stranger.token("acme")), "28000 invalid signature")
        unknown = Provider("nobody", "ES256")
        self.assertEqual(self.outcome(unknown.token("acme")), "28000 token key id (kid) is not in vecrbac.jwks")
        # the token cannot choose its algorithm: an RS256 key's kid on a PS256 token
        ps_as_rs = jwt.encode({"iss": ISSUER, "aud": "vectors", "exp": int(time.time()) + 600, CLAIM: {"access": "r"}},
                              rs.private, algorithm="PS256", headers={"kid": rs.kid})
        self.assertEqual(self.outcome(ps_as_rs), "28000 algorithm not allowed")
        self.assertEqual(self.outcome(rs.token("acme", iss="https://evil.example/")),
                         '28000 claim "iss" is not an accepted issuer (vecrbac.issuer)')
        self.assertEqual(self.outcome(rs.token("acme", aud="billing")),
                         '28000 claim "aud" names no accepted audience (vecrbac.audience)')
        self.assertEqual(self.outcome(rs.token("acme", exp=int(time.time()) - 3600)), "28000 token expired")

    def test_3_rotation(self):
        old, new = Provider("k-old", "ES256"), Provider("k-new", "EdDSA")
        self.load_jwks(jwks(old))
        self.eventually(old.token("acme"), ["acme"])
        self.load_jwks(jwks(old, new))  # both live while tokens of the old key expire
        self.eventually(new.token("globex"), ["globex"])
        self.assertEqual(self.outcome(old.token("acme")), ["acme"])
        self.load_jwks(jwks(new))       # the old key leaves
        self.eventually(old.token("acme"), "28000 token key id (kid) is not in vecrbac.jwks")
        self.assertEqual(self.outcome(new.token("acme")), ["acme"])

    def test_4_bad_key_sets_are_refused_when_set(self):
        good = jwks(self.keys["EdDSA"])
        p384 = ec.generate_private_key(ec.SECP384R1())
        short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        # a modulus past the 8,192-bit limit: only its length matters, so no key is generated
        huge_n = jwt.utils.base64url_encode(bytes([0x80]) + os.urandom(1031)).decode()
        cases = {
            "P-384 as ES256": {"keys": [{**json.loads(ECAlgorithm.to_jwk(p384.public_key())), "kid": "p", "alg": "ES256"}]},
            "RSA 1024": {"keys": [{**json.loads(RSAAlgorithm.to_jwk(short.public_key())), "kid": "s", "alg": "RS256"}]},
            "RSA 8256": {"keys": [{"kty": "RSA", "n": huge_n, "e": "AQAB", "kid": "h", "alg": "RS256"}]},
            "duplicate kid": {"keys": [self.keys["EdDSA"].jwk, self.keys["EdDSA"].jwk]},
            "no alg": {"keys": [{k: v for k, v in self.keys["ES256"].jwk.items() if k != "alg"}]},
            "private": {"keys": [{**json.loads(OKPAlgorithm.to_jwk(ed25519.Ed25519PrivateKey.generate())),
                                  "kid": "d", "alg": "EdDSA"}]},
            "HMAC": {"keys": [{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "kid": "o", "alg": "HS256"}]},
            "not a key set": [1, 2, 3],
        }
        self.load_jwks(good)
        for name, document in cases.items():
            with self.subTest(case=name):
                with self.assertRaises(psycopg.Error) as refused:
                    self.admin.execute("SET vecrbac.jwks = %s" % sql.quote(json.dumps(document)))
                self.assertEqual(refused.exception.sqlstate, "22023")
                self.assertIn("vecrbac.jwks", refused.exception.diag.message_primary)
                with self.assertRaises(psycopg.Error):
                    self.admin.execute("ALTER SYSTEM SET vecrbac.jwks = %s" % sql.quote(json.dumps(document)))
        # the set in force is still the good one
        self.eventually(self.keys["EdDSA"].token("acme"), ["acme"])

    def test_5_only_a_superuser_sets_the_key_set(self):
        with self.assertRaises(psycopg.Error) as denied:
            self.app.execute("SET vecrbac.jwks = %s" % sql.quote(jwks(Provider("mine", "EdDSA"))))
        self.assertEqual(denied.exception.sqlstate, "42501")


if __name__ == "__main__":
    unittest.main(verbosity=2)
