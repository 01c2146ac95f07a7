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

namespace vecrbac::jwt
{

struct KeyImpl
{
	AlgFamily family = AlgFamily::Hmac;
	bool is_private = false;
	std::optional<Alg> restricted_to;

	/* HMAC (RFC 2104): the secret, and per hash the digest states after absorbing
	 * key XOR ipad and key XOR opad, so that each MAC starts from copies instead of
	 * hashing the key again. OpenSSL's SHA-2 uses the CPU's SHA extensions. */
	struct HmacPads
	{
		ossl::MdCtxPtr inner, outer;
	};
	std::string secret;
	HmacPads hs256, hs384, hs512;

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
		/* OpenSSL clears digest states when freeing them. */
		sodium_memzero(secret.data(), secret.size());
		sodium_memzero(ed_sk, sizeof(ed_sk));
	}
};

} // namespace vecrbac::jwt
