#!/usr/bin/python3
"""make_seeds.py: writes the seed corpora of the JWT fuzz targets (test/fuzz/corpus/).

Run from anywhere with Debian's python3 (PyJWT); rewrites the seeds deterministically
except for ES256 signatures, which are randomized. Keys are those of fuzz_common.h.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib

import jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
UNIT = HERE.parent / "unit" / "jwt_fixtures.h"

ED_PRIVATE = '{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
EC_PRIVATE = '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}'


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def fixtures():
    """The string constants of test/unit/jwt_fixtures.h that are tokens or keys."""
    import re
    text = UNIT.read_text()
    out = {}
    for m in re.finditer(r'constexpr const char \*(\w+) =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', text):
        out[m.group(1)] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
    for m in re.finditer(r'constexpr const char \*(\w+) =\s*R"(\w*)\((.*?)\)\2";', text, re.S):
        out[m.group(1)] = m.group(3)
    return out


def main():
    fx = fixtures()
    claims = {"sub": "fuzz", "exp": 1700003600, "iat": 1699999000,
              "access": [{"collection": "docs", "access": "rw", "payload": {"tenant": "t1", "n": [1, 2]}}],
              "value_exists": {"collection": "users", "matches": [{"key": "id", "value": 7}]}}
    ed = OKPAlgorithm.from_jwk(ED_PRIVATE)
    ec = ECAlgorithm.from_jwk(EC_PRIVATE)

    # jwt_verify_fuzzer: whole tokens.
    t = "jwt_verify_fuzzer"
    for name in ["RFC7515_A1_TOKEN", "RFC7515_A3_TOKEN", "RFC8037_A4_TOKEN", "RFC7520_4_4_TOKEN",
                 "RFC7519_UNSECURED_TOKEN", "PYJWT_HS256", "PYJWT_EDDSA", "PYJWT_ES256", "PYJWT_RS256", "PYJWT_PS256"]:
        write(t, name.lower(), fx[name])
    write(t, "fuzzkey_hs256", jwt.encode(claims, b"s" * 32, algorithm="HS256"))
    write(t, "fuzzkey_hs512", jwt.encode(claims, b"k" * 64, algorithm="HS512"))
    write(t, "fuzzkey_eddsa", jwt.encode(claims, ed, algorithm="EdDSA"))
    write(t, "fuzzkey_es256", jwt.encode(claims, ec, algorithm="ES256"))
    write(t, "two_segments", "eyJhbGciOiJIUzI1NiJ9.e30")
    write(t, "empty_segments", "..")

    # jwt_signed_fuzzer: "<header>\n<claims>".
    t = "jwt_signed_fuzzer"
    seeds = {
        "plain": ('{"alg":"HS256","typ":"JWT"}', json.dumps(claims, separators=(",", ":"))),
        "kid": ('{"alg":"HS256","kid":"k1"}', '{"exp":1700003600}'),
        "crit": ('{"alg":"HS256","crit":["exp"]}', '{"exp":1700003600}'),
        "none": ('{"alg":"none"}', '{"exp":1700003600}'),
        "dup": ('{"alg":"HS256"}', '{"exp":1700003600,"exp":1}'),
        "deep": ('{"alg":"HS256"}', '{"exp":1700003600,"a":' + "[" * 15 + "]" * 15 + "}"),
        "times": ('{"alg":"HS256"}', '{"exp":1700003600,"nbf":1699999999,"iat":1699999999}'),
        "bad_times": ('{"alg":"HS256"}', '{"exp":"1","nbf":1.5,"iat":-0}'),
        "unicode": ('{"alg":"HS256"}', '{"exp":1700003600,"s":"\\ud83d\\ude00\\u00e9","t":"\u00e9"}'),
        "crlf": ('{"alg":"HS256"}', '{"iss":"joe",\r\n "exp":1300819380}'),
        "not_object": ('{"alg":"HS256"}', '[1,2,3]'),
    }
    for name, (h, c) in seeds.items():
        write(t, name, h + "\n" + c)
    write(t, "no_header", '{"exp":1700003600,"sub":"x"}')

    # jwt_json_keys_fuzzer: selector byte + text.
    t = "jwt_json_keys_fuzzer"
    write(t, "json_claims", b"\x00" + json.dumps(claims).encode())
    write(t, "json_escapes", b"\x00" + b'{"a":"\\u0041\\n\\t\\"","b":[true,false,null,-1.5e-3]}')
    write(t, "json_dup", b"\x00" + b'{"a":{"b":1,"b":2}}')
    for i, name in enumerate(["ED25519_PUBLIC_PEM", "ED25519_PUBLIC_JWK", "EC_PUBLIC_PEM", "EC_PUBLIC_JWK",
                              "RSA_PUBLIC_PEM", "RSA_PUBLIC_JWK", "RFC7515_A3_PUBLIC_JWK", "P384_PUBLIC_PEM"]):
        write(t, "public_" + name.lower(), b"\x01" + fx[name].encode())
    for name in ["ED25519_PRIVATE_PEM", "EC_PRIVATE_PEM", "EC_PRIVATE_TRADITIONAL_PEM", "RSA_PRIVATE_JWK",
                 "EC_PRIVATE_ENCRYPTED_PEM"]:
        write(t, "private_" + name.lower(), b"\x02" + fx[name].encode())
    write(t, "secret", b"\x03" + b"0123456789abcdef0123456789abcdef")
    write(t, "secret_jwk", b"\x03" + b'{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}')
    write(t, "sign_ed", b"\x04" + ED_PRIVATE.encode())
    write(t, "sign_ec", b"\x04" + EC_PRIVATE.encode())
    write(t, "base64_token_segment", b"\x05" + fx["RFC7515_A1_TOKEN"].split(".")[1].encode())
    write(t, "base64_high_byte", b"\x05" + b"B\x8206")


if __name__ == "__main__":
    main()
