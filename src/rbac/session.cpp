/*
 * session.cpp: the per-backend cache of verified tokens. See session.h.
 */
#include "rbac/session.h"

#include "jwt/errors.h"

#include <algorithm>

namespace vecrbac::rbac
{

void TokenCache::clear() noexcept
{
	entries_.clear();
	bytes_ = 0;
	keys_.clear();
	jwks_.clear();
	keys_built_ = false;
}

/*
 * A token that names a key of vecrbac.jwks by its header's kid is verified with that key
 * and its configured algorithm only; any other token with the HMAC secrets (HS256, and
 * HS384/HS512 when a secret is long enough for them). The kid only chooses; the key and
 * its algorithm come from the configuration.
 */
jwt::VerifiedToken TokenCache::verify_with_keys(std::string_view token, jwt::VerifyOptions options)
{
	std::optional<std::string> kid =
	    jwks_.empty() ? std::nullopt : jwt::peek_kid(token, options.max_token_bytes);
	if (kid)
	{
		const jwt::JwksKey *k = jwt::find_kid(jwks_, *kid);
		if (k == nullptr)
			jwt::reject("token key id (kid) is not in vecrbac.jwks");
		options.algorithms = jwt::AlgSet{k->alg};
		return jwt::verify(token, std::span<const jwt::Key>(&k->key, 1), options);
	}
	if (keys_.empty())
		jwt::reject("token has no \"kid\": the keys of vecrbac.jwks are chosen by kid");
	options.algorithms = jwt::AlgSet{jwt::Alg::HS256};
	/* HS384 and HS512 need 48 and 64-byte secrets: offered when a secret is that long. */
	for (jwt::Alg alg : {jwt::Alg::HS384, jwt::Alg::HS512})
		if (std::any_of(keys_.begin(), keys_.end(),
		                [alg](const jwt::Key &k) { return k.fits(alg); }))
			options.algorithms.add(alg);
	return jwt::verify(token, keys_, options);
}

std::shared_ptr<const Session> TokenCache::get(std::string_view token, const SessionConfig &config,
                                               std::uint64_t generation, std::int64_t now)
{
	if (generation != generation_)
	{
		clear();
		generation_ = generation;
	}
	for (Entry &e : entries_)
		if (e.token == token)
		{
			e.last_used = ++clock_;
			return e.session;
		}

	if (!keys_built_)
	{
		keys_.clear();
		if (!config.secret.empty())
			keys_.push_back(jwt::Key::hmac(config.secret));
		if (!config.secret_alt.empty())
			keys_.push_back(jwt::Key::hmac(config.secret_alt));
		jwks_ = jwt::parse_jwks(config.jwks);
		keys_built_ = true;
	}
	if (keys_.empty() && jwks_.empty())
		jwt::bad_config("no token secret is configured (vecrbac.jwt_secret)");

	jwt::VerifyOptions options;
	options.leeway_seconds = config.leeway_seconds;
	options.require_exp = config.require_exp;
	options.now = now;
	options.max_token_bytes = config.max_token_bytes;
	jwt::VerifiedToken verified = verify_with_keys(token, options);
	auto session = std::make_shared<Session>();
	check_issuer_audience(verified.claims, config);
	const jwt::Json none = jwt::Json::make_object();
	const jwt::Json *granting = grants_object(verified.claims, config.claims_path);
	session->grants = parse_grants(granting ? *granting : none, config.missing_access);
	if (!config.allow_writable_value_exists)
		refuse_writable_value_exists(session->grants);
	session->exp = verified.exp;
	session->claims_json = std::move(verified.claims_json);

	if (token.size() > kCapacityBytes)
		return session;
	while (!entries_.empty() &&
	       (entries_.size() >= kCapacity || bytes_ + token.size() > kCapacityBytes))
	{
		auto oldest = std::min_element(entries_.begin(), entries_.end(),
		                               [](const Entry &a, const Entry &b)
		                               { return a.last_used < b.last_used; });
		bytes_ -= oldest->token.size();
		entries_.erase(oldest);
	}
	entries_.push_back(Entry{std::string(token), session, ++clock_});
	bytes_ += token.size();
	return session;
}

namespace
{

/* Whether item is one of the comma-separated entries of list (spaces around them ignored). */
bool listed(std::string_view list, std::string_view item)
{
	while (!list.empty())
	{
		std::size_t comma = list.find(',');
		std::string_view entry = list.substr(0, comma);
		while (!entry.empty() && entry.front() == ' ')
			entry.remove_prefix(1);
		while (!entry.empty() && entry.back() == ' ')
			entry.remove_suffix(1);
		if (!entry.empty() && entry == item)
			return true;
		if (comma == std::string_view::npos)
			break;
		list.remove_prefix(comma + 1);
	}
	return false;
}

} // namespace

void check_issuer_audience(const jwt::Json &claims, const SessionConfig &config)
{
	if (!config.issuers.empty())
	{
		const jwt::Json *iss = claims.find("iss");
		if (iss == nullptr)
			jwt::reject("token has no \"iss\" claim");
		if (!iss->is_string() || !listed(config.issuers, iss->text()))
			jwt::reject("claim \"iss\" is not an accepted issuer (vecrbac.issuer)");
	}
	if (!config.audiences.empty())
	{
		const jwt::Json *aud = claims.find("aud");
		if (aud == nullptr)
			jwt::reject("token has no \"aud\" claim");
		bool accepted = aud->is_string() && listed(config.audiences, aud->text());
		if (aud->is_array())
			for (const jwt::Json &a : aud->items())
				accepted = accepted || (a.is_string() && listed(config.audiences, a.text()));
		if (!accepted)
			jwt::reject("claim \"aud\" names no accepted audience (vecrbac.audience)");
	}
}

const jwt::Json *grants_object(const jwt::Json &claims, std::string_view path)
{
	if (path.empty())
		return &claims;
	if (const jwt::Json *whole = claims.find(path); whole != nullptr)
		return whole;
	const jwt::Json *at = &claims;
	while (at != nullptr && !path.empty())
	{
		std::size_t dot = path.find('.');
		at = at->is_object() ? at->find(path.substr(0, dot)) : nullptr;
		path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
	}
	return at;
}

void check_live(const Session &session, std::int64_t now, std::int64_t leeway_seconds)
{
	if (session.exp && !(now < *session.exp + leeway_seconds))
		jwt::reject("token expired");
}

const char *secret_problem(std::string_view secret) noexcept
{
	if (secret.empty())
		return nullptr;
	if (secret.size() < 32)
		return "must be at least 32 bytes";
	try
	{
		(void)jwt::Key::hmac(secret);
	}
	catch (...)
	{
		return "is not usable as an HMAC secret (it looks like a PEM, JWK or SSH key)";
	}
	return nullptr;
}

} // namespace vecrbac::rbac
