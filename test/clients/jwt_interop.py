#!/usr/bin/python3
"""jwt_interop.py: vecrbac's JWT against PyJWT (Debian python3-jwt), both directions.

- Tokens minted by PyJWT verify in vecrbac.jwt_verify, with the claims intact, for
  every algorithm both implement (HS256/384/512, EdDSA, ES256, RS256, PS256) and
  with public keys given as PEM and as JWK.
- Tokens minted by vecrbac.jwt_sign verify in PyJWT (jwt.decode), same algorithms.
- What PyJWT can mint but vecrbac must refuse is refused with SQLSTATE 28000.

Keys are generated fresh for each run. Connects to the cluster in PGHOST/PGPORT
(test/clients/run.sh starts one) as user postgres, in its own database.
"""
import base64
import json
import os
import sys
import time
import unittest

import jwt
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

DB = "vecrbac_jwt_interop_py"


def connect(dbname):
    return psycopg.connect(host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ["PGPORT"],
                           user="postgres", dbname=dbname, autocommit=True)


def pem_private(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def pem_public(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def ec_jwk(key):
    """
    PyJWT's JWK of a P-256 key with every coordinate at the curve's full size (RFC 7518
    6.2.1.2 and 6.2.2.1). PyJWT before 2.8 (Debian 12 has 2.6) drops leading zero bytes,
    one key in 128; vecrbac refuses such a key, which made this test fail at random.
    """
    jwk = json.loads(ECAlgorithm.to_jwk(key))
    public = key.public_key() if hasattr(key, "private_numbers") else key
    values = {"x": public.public_numbers().x, "y": public.public_numbers().y}
    if hasattr(key, "private_numbers"):
        values["d"] = key.private_numbers().private_value
    for name, value in values.items():
        jwk[name] = base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()
    return json.dumps(jwk)


class Keys:
    """One fresh key per asymmetric family, in PEM and JWK forms."""

    def __init__(self):
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwk = {
            "EdDSA": (OKPAlgorithm.to_jwk(self.ed), OKPAlgorithm.to_jwk(self.ed.public_key())),
            "ES256": (ec_jwk(self.ec), ec_jwk(self.ec.public_key())),
            "RS256": (RSAAlgorithm.to_jwk(self.rsa), RSAAlgorithm.to_jwk(self.rsa.public_key())),
        }
        self.jwk["PS256"] = self.jwk["RS256"]
        self.obj = {"EdDSA": self.ed, "ES256": self.ec, "RS256": self.rsa, "PS256": self.rsa}


ASYMMETRIC = ["EdDSA", "ES256", "RS256", "PS256"]
HMAC = {"HS256": 32, "HS384": 48, "HS512": 64}


class Interop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB}")
            admin.execute(f"CREATE DATABASE {DB}")
        cls.conn = connect(DB)
        cls.conn.execute("CREATE EXTENSION vecrbac")
        cls.keys = Keys()

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        with connect("postgres") as admin:
            admin.execute(f"DROP DATABASE {DB}")

    def claims(self, **extra):
        now = int(time.time())
        c = {"sub": "interop", "iat": now, "nbf": now - 5, "exp": now + 600,
             "access": [{"collection": "docs", "access": "r", "payload": {"tenant": "t1"}}],
             "unicode": "é😀", "n": 1.5, "flag": True, "nothing": None}
        c.update(extra)
        return c

    def sql_verify(self, token, key, algs):
        key_sql = "%s::bytea" if isinstance(key, bytes) else "%s::text"
        row = self.conn.execute(f"SELECT vecrbac.jwt_verify(%s, {key_sql}, %s)", (token, key, algs)).fetchone()
        return row[0]

    def sql_sign(self, claims, key, alg):
        key_sql = "%s::bytea" if isinstance(key, bytes) else "%s::text"
        return self.conn.execute(f"SELECT vecrbac.jwt_sign(%s::jsonb, {key_sql}, %s)",
                                 (json.dumps(claims), key, alg)).fetchone()[0]

    def assert_refused(self, token, key, algs, message):
        with self.assertRaises(psycopg.Error) as cm:
            self.sql_verify(token, key, algs)
        self.assertEqual(cm.exception.sqlstate, "28000", str(cm.exception))
        self.assertIn(message, str(cm.exception))

    # ---- PyJWT -> vecrbac ------------------------------------------------------------
    def test_pyjwt_hmac_tokens_verify(self):
        for alg, size in HMAC.items():
            secret = os.urandom(size)
            c = self.claims()
            token = jwt.encode(c, secret, algorithm=alg)
            self.assertEqual(self.sql_verify(token, secret, [alg]), c, alg)
            # A text secret, as Qdrant's api_key: PyJWT uses its UTF-8 bytes.
            text_secret = "clé-" + "x" * size
            token = jwt.encode(c, text_secret, algorithm=alg)
            self.assertEqual(self.sql_verify(token, text_secret, [alg]), c, alg)

    def test_pyjwt_asymmetric_tokens_verify_with_pem_and_jwk(self):
        for alg in ASYMMETRIC:
            c = self.claims()
            token = jwt.encode(c, self.keys.obj[alg], algorithm=alg, headers={"kid": "k-" + alg})
            self.assertEqual(self.sql_verify(token, pem_public(self.keys.obj[alg]), [alg]), c, alg)
            self.assertEqual(self.sql_verify(token, self.keys.jwk[alg][1], [alg]), c, alg)

    def test_pyjwt_tokens_vecrbac_must_refuse(self):
        secret = os.urandom(32)
        self.assert_refused(jwt.encode(self.claims(), None, algorithm="none"), secret, ["HS256"],
                            "unsecured tokens")
        self.assert_refused(jwt.encode(self.claims(exp=int(time.time()) - 3600), secret, algorithm="HS256"),
                            secret, ["HS256"], "token expired")
        self.assert_refused(jwt.encode(self.claims(), os.urandom(32), algorithm="HS256"), secret, ["HS256"],
                            "invalid signature")
        self.assert_refused(jwt.encode(self.claims(), secret, algorithm="HS512"), secret + secret, ["HS256"],
                            "algorithm not allowed")
        self.assert_refused(jwt.encode(self.claims(exp="soon"), secret, algorithm="HS256"), secret, ["HS256"],
                            'claim "exp" must be an integer NumericDate')
        self.assert_refused(jwt.encode(self.claims(exp=time.time() + 600), secret, algorithm="HS256"), secret,
                            ["HS256"], 'claim "exp" must be an integer NumericDate')
        self.assert_refused(jwt.encode(self.claims(), secret, algorithm="HS256", headers={"crit": ["exp"]}),
                            secret, ["HS256"], 'header parameter "crit" is not supported')
        c = self.claims()
        del c["exp"]
        self.assert_refused(jwt.encode(c, secret, algorithm="HS256"), secret, ["HS256"], 'no "exp" claim')

    # ---- vecrbac -> PyJWT ------------------------------------------------------------
    def test_vecrbac_hmac_tokens_verify_in_pyjwt(self):
        for alg, size in HMAC.items():
            secret = os.urandom(size)
            c = self.claims()
            token = self.sql_sign(c, secret, alg)
            self.assertEqual(jwt.get_unverified_header(token), {"alg": alg, "typ": "JWT"})
            self.assertEqual(jwt.decode(token, secret, algorithms=[alg]), c, alg)

    def test_vecrbac_asymmetric_tokens_verify_in_pyjwt(self):
        for alg in ASYMMETRIC:
            c = self.claims()
            key = self.keys.obj[alg]
            for private in (pem_private(key), self.keys.jwk[alg][0]):
                token = self.sql_sign(c, private, alg)
                self.assertEqual(jwt.decode(token, key.public_key(), algorithms=[alg]), c, alg)
            # And PyJWT refuses it when the signature is altered.
            head, payload, sig = token.split(".")
            forged = head + "." + jwt.utils.base64url_encode(b'{"sub":"mallory","exp":4102444800}').decode() + "." + sig
            with self.assertRaises(jwt.InvalidSignatureError):
                jwt.decode(forged, key.public_key(), algorithms=[alg])


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
