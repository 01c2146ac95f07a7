/*
 * algorithm.cpp: names and families of the supported JWS algorithms.
 */
#include "jwt/algorithm.h"
#include "jwt/errors.h"

#include <string>

namespace vecrbac::jwt
{

namespace
{

struct AlgInfo
{
	Alg alg;
	const char *name;
	AlgFamily family;
	std::size_t hmac_bytes;
};

constexpr AlgInfo kAlgs[kAlgCount] = {
    {Alg::HS256, "HS256", AlgFamily::Hmac, 32},  {Alg::HS384, "HS384", AlgFamily::Hmac, 48},
    {Alg::HS512, "HS512", AlgFamily::Hmac, 64},  {Alg::EdDSA, "EdDSA", AlgFamily::Ed25519, 0},
    {Alg::ES256, "ES256", AlgFamily::EcP256, 0}, {Alg::RS256, "RS256", AlgFamily::Rsa, 0},
    {Alg::PS256, "PS256", AlgFamily::Rsa, 0},    {Alg::ES384, "ES384", AlgFamily::EcP384, 0},
};

const AlgInfo &info(Alg alg) noexcept
{
	return kAlgs[static_cast<int>(alg)];
}

} // namespace

AlgFamily alg_family(Alg alg) noexcept
{
	return info(alg).family;
}

const char *alg_name(Alg alg) noexcept
{
	return info(alg).name;
}

std::size_t hmac_min_key_bytes(Alg alg) noexcept
{
	return info(alg).hmac_bytes;
}

std::optional<Alg> parse_alg(std::string_view name) noexcept
{
	for (const AlgInfo &a : kAlgs)
		if (name == a.name)
			return a.alg;
	return std::nullopt;
}

bool AlgSet::mixes_hmac_and_asymmetric() const noexcept
{
	bool hmac = false, asym = false;
	for_each([&](Alg a) { (alg_family(a) == AlgFamily::Hmac ? hmac : asym) = true; });
	return hmac && asym;
}

Alg parse_alg_or_throw(std::string_view name)
{
	if (auto alg = parse_alg(name))
		return *alg;
	/* The name is the caller's configuration, not token content: it may be shown,
	 * but only if short and printable, so a key pasted by mistake is never echoed. */
	bool printable = name.size() <= 16;
	for (char c : name)
		printable = printable && c > 0x20 && c < 0x7f;
	if (printable)
		bad_config("unknown JWT algorithm \"" + std::string(name) +
		           "\" (supported: HS256, HS384, HS512, EdDSA, ES256, RS256, PS256)");
	bad_config(
	    "unknown JWT algorithm (supported: HS256, HS384, HS512, EdDSA, ES256, RS256, PS256)");
}

} // namespace vecrbac::jwt
