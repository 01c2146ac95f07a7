/*
 * keys.h: keys for JWS signing and verification.
 *
 * A Key is bound to one family (HMAC, Ed25519, EC P-256, RSA) when it is built, from
 * the caller's configuration only; a token's header never chooses a key type. Keys
 * are immutable after construction and cheap to copy (shared, reference counted),
 * so a caller may build them once and keep them for many verifications; secret
 * material is wiped when the last copy goes away.
 *
 * Failures throw SqlError 22023 (invalid_parameter_value) with a message that never
 * contains key material.
 */
#pragma once

#include "jwt/algorithm.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

namespace vecrbac::jwt
{

struct KeyImpl; /* key_impl.h: only the crypto code sees inside */

class Key
{
  public:
	/*
	 * An HMAC secret: raw bytes, at least 32 (RFC 7518 3.2; HS384 and HS512 need 48
	 * and 64, checked against the algorithm). A secret that is really a PEM or JWK
	 * key, or an SSH public key, is refused: using a public key as an HMAC secret is
	 * the classic algorithm-confusion mistake.
	 */
	static Key hmac(std::string_view secret);

	/*
	 * A public key for verification: PEM ("-----BEGIN PUBLIC KEY-----",
	 * SubjectPublicKeyInfo) or a JWK object (kty OKP/Ed25519, EC/P-256, RSA). A
	 * private key is refused here. RSA moduli must have 2048 to 8192 bits.
	 */
	static Key public_key(std::string_view pem_or_jwk);

	/*
	 * A private key for signing: PEM (PKCS#8 "PRIVATE KEY", or the traditional
	 * "EC PRIVATE KEY" / "RSA PRIVATE KEY"; encrypted PEM is refused) or a JWK with
	 * its private members.
	 */
	static Key private_key(std::string_view pem_or_jwk);

	AlgFamily family() const noexcept;
	bool is_private() const noexcept;
	/* The "alg" member of a JWK, when it had one: the key is then usable only with it. */
	std::optional<Alg> restricted_to() const noexcept;

	/* True if this key may be used with alg (family, HMAC length, JWK "alg"). */
	bool fits(Alg alg) const noexcept;

	const KeyImpl &impl() const noexcept { return *impl_; }
	/* For keys.cpp: wraps a fully built implementation. */
	static Key from_impl(std::shared_ptr<const KeyImpl> impl);

  private:
	explicit Key(std::shared_ptr<const KeyImpl> impl) : impl_(std::move(impl)) {}
	std::shared_ptr<const KeyImpl> impl_;
};

} // namespace vecrbac::jwt
