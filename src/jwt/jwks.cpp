/*
 * jwks.cpp: key sets chosen by kid. See jwks.h.
 */
#include "jwt/jwks.h"

#include "jwt/base64url.h"
#include "jwt/errors.h"
#include "jwt/json_strict.h"
#include "jwt/verify.h"

namespace vecrbac::jwt
{

namespace
{

[[noreturn]] void bad_key(std::size_t index, const std::string &kid, const std::string &what)
{
	bad_config("vecrbac.jwks: key " + std::to_string(index + 1) +
	           (kid.empty() ? "" : " (kid \"" + kid + "\")") + ": " + what);
}

} // namespace

std::vector<JwksKey> parse_jwks(std::string_view json)
{
	std::vector<JwksKey> keys;
	if (json.empty())
		return keys;
	if (json.size() > kMaxJwksBytes)
		bad_config("vecrbac.jwks is longer than " + std::to_string(kMaxJwksBytes) + " bytes");
	Json doc;
	JsonError err = parse_json_strict(json, 8, &doc);
	if (err != JsonError::None)
		bad_config(std::string("vecrbac.jwks is not valid JSON (") + json_error_text(err) + ")");
	const Json *list = doc.is_object() ? doc.find("keys") : nullptr;
	if (list == nullptr || !list->is_array())
		bad_config("vecrbac.jwks must be a JSON Web Key Set: {\"keys\": [...]}");
	if (list->items().size() > kMaxJwksKeys)
		bad_config("vecrbac.jwks has more than " + std::to_string(kMaxJwksKeys) + " keys");
	for (std::size_t i = 0; i < list->items().size(); i++)
	{
		const Json &jwk = list->items()[i];
		const Json *kid = jwk.is_object() ? jwk.find("kid") : nullptr;
		std::string name = kid && kid->is_string() ? kid->text() : "";
		if (kid == nullptr || !kid->is_string() || name.empty())
			bad_key(i, "", "a key needs a non-empty string \"kid\"");
		if (find_kid(keys, name) != nullptr)
			bad_key(i, name, "a second key with this kid");
		const Json *alg = jwk.find("alg");
		std::optional<Alg> a = alg && alg->is_string() ? parse_alg(alg->text()) : std::nullopt;
		if (!a || alg_family(*a) == AlgFamily::Hmac)
			bad_key(i, name, "a key needs \"alg\": RS256, PS256, ES256 or EdDSA");
		std::string text;
		write_json_compact(jwk, &text);
		try
		{
			Key key = Key::public_key(text);
			if (!key.fits(*a))
				bad_key(i, name, std::string("its key type does not fit ") + alg_name(*a));
			keys.push_back(JwksKey{name, *a, key});
		}
		catch (const SqlError &e)
		{
			if (std::string_view(e.what()).starts_with("vecrbac.jwks"))
				throw;
			bad_key(i, name, e.what());
		}
	}
	return keys;
}

const JwksKey *find_kid(const std::vector<JwksKey> &keys, std::string_view kid) noexcept
{
	for (const JwksKey &k : keys)
		if (k.kid == kid)
			return &k;
	return nullptr;
}

std::optional<std::string> peek_kid(std::string_view token, std::size_t max_token_bytes)
{
	if (token.size() > max_token_bytes)
		return std::nullopt;
	std::size_t dot = token.find('.');
	if (dot == std::string_view::npos)
		return std::nullopt;
	std::string header_text;
	if (!base64url::decode(token.substr(0, dot), &header_text))
		return std::nullopt;
	Json header;
	if (parse_json_strict(header_text, kDefaultMaxDepth, &header) != JsonError::None ||
	    !header.is_object())
		return std::nullopt;
	const Json *kid = header.find("kid");
	if (kid == nullptr || !kid->is_string())
		return std::nullopt;
	return kid->text();
}

} // namespace vecrbac::jwt
