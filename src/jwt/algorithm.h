/*
 * algorithm.h: the JWS algorithms vecrbac knows, by their RFC 7518 / RFC 8037 names.
 *
 * The caller chooses the allowed algorithms and the key; the token's header only
 * says which of the allowed ones it used. "none" is not an algorithm here at all.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vecrbac::jwt
{

enum class Alg : std::uint8_t
{
	HS256,
	HS384,
	HS512,
	EdDSA, /* Ed25519 only (RFC 8037) */
	ES256, /* ECDSA P-256 with SHA-256, signature R||S */
	RS256, /* RSASSA-PKCS1-v1_5 with SHA-256 */
	PS256, /* RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32 */
	ES384, /* ECDSA P-384 with SHA-384, signature R||S */
};
inline constexpr int kAlgCount = 8;

/* Key families: an algorithm is only ever used with a key of its family. */
enum class AlgFamily : std::uint8_t
{
	Hmac,
	Ed25519,
	EcP256,
	EcP384,
	Rsa,
};

AlgFamily alg_family(Alg alg) noexcept;
const char *alg_name(Alg alg) noexcept;

/* Exact, case-sensitive match of a registered name; nullopt for anything else. */
std::optional<Alg> parse_alg(std::string_view name) noexcept;

/* For HMAC algorithms: the hash output size, which RFC 7518 3.2 makes the minimum key size. */
std::size_t hmac_min_key_bytes(Alg alg) noexcept;

/* A set of algorithms (a bit mask). */
class AlgSet
{
  public:
	constexpr AlgSet() = default;
	constexpr AlgSet(std::initializer_list<Alg> algs)
	{
		for (Alg a : algs)
			add(a);
	}
	constexpr void add(Alg a) { bits_ |= bit(a); }
	constexpr bool contains(Alg a) const { return (bits_ & bit(a)) != 0; }
	constexpr bool empty() const { return bits_ == 0; }
	constexpr std::uint32_t bits() const { return bits_; }

	/* True when the set holds both HMAC and asymmetric algorithms. */
	bool mixes_hmac_and_asymmetric() const noexcept;

	template <typename F> void for_each(F &&f) const
	{
		for (int i = 0; i < kAlgCount; i++)
			if (bits_ & (1u << i))
				f(static_cast<Alg>(i));
	}

  private:
	static constexpr std::uint32_t bit(Alg a) { return 1u << static_cast<unsigned>(a); }
	std::uint32_t bits_ = 0;
};

/* Parses a caller-supplied algorithm name; throws 22023 for an unknown one. */
Alg parse_alg_or_throw(std::string_view name);

} // namespace vecrbac::jwt
