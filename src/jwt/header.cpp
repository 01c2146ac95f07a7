/*
 * header.cpp: JWS protected header validation.
 */
#include "jwt/header.h"

#include "jwt/errors.h"

#include <cctype>

namespace vecrbac::jwt
{

namespace
{

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++)
		if (std::tolower(static_cast<unsigned char>(a[i])) !=
		    std::tolower(static_cast<unsigned char>(b[i])))
			return false;
	return true;
}

constexpr const char *kRefusedParameters[] = {"crit", "b64", "jku", "x5u", "jwk",
                                              "x5c",  "zip", "enc", "cty"};

} // namespace

Alg check_header(const Json &header, AlgSet allowed)
{
	if (!header.is_object())
		reject("malformed token: header is not a JSON object");
	const Json *alg = header.find("alg");
	if (alg == nullptr)
		reject("malformed token: header has no \"alg\"");
	if (!alg->is_string())
		reject("malformed token: header \"alg\" must be a string");
	if (equals_ignoring_case(alg->text(), "none"))
		reject("algorithm not allowed: unsecured tokens (\"none\") are refused");
	std::optional<Alg> a = parse_alg(alg->text());
	if (!a || !allowed.contains(*a))
		reject("algorithm not allowed");

	for (const char *name : kRefusedParameters)
		if (header.find(name) != nullptr)
			reject(std::string("header parameter \"") + name + "\" is not supported");

	for (const char *name : {"kid", "typ"})
		if (const Json *v = header.find(name); v != nullptr && !v->is_string())
			reject(std::string("malformed token: header \"") + name + "\" must be a string");
	return *a;
}

} // namespace vecrbac::jwt
