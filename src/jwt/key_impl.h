/*
 * key_impl.h: what a Key holds. Internal to src/jwt (keys.cpp builds it,
 * signature.cpp uses it).
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/ossl.h"

#include <sodium.h>

#include <optional>
#include <string>

namespace vecrbac::jwt {

struct KeyImpl
{
	AlgFamily family = AlgFamily::Hmac;
	bool is_private = false;
	std::optional<Alg> restricted_to;

	/* HMAC: the secret and the hash states after absorbing the padded key, so
	 * each MAC starts from a copy instead of hashing the key again. */
	std::string secret;
	crypto_auth_hmacsha256_state hs256{};
	crypto_auth_hmacsha512_state hs512{};
	ossl::MacCtxPtr hs384; /* keyed; duplicated per use */

	/* Ed25519 (libsodium): public key, and the expanded secret key when private. */
	unsigned char ed_pk[crypto_sign_PUBLICKEYBYTES] = {};
	unsigned char ed_sk[crypto_sign_SECRETKEYBYTES] = {};

	/* EC P-256 and RSA (OpenSSL). */
	ossl::PkeyPtr pkey;
	int rsa_bytes = 0; /* modulus size: the exact RSA signature length */

	KeyImpl() = default;
	KeyImpl(const KeyImpl &) = delete;
	KeyImpl &operator=(const KeyImpl &) = delete;
	~KeyImpl()
	{
		sodium_memzero(secret.data(), secret.size());
		sodium_memzero(&hs256, sizeof(hs256));
		sodium_memzero(&hs512, sizeof(hs512));
		sodium_memzero(ed_sk, sizeof(ed_sk));
	}
};

} // namespace vecrbac::jwt
