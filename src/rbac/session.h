/*
 * session.h: verified session tokens, cached per backend (pure C++).
 *
 * A backend verifies each distinct token once and keeps what it learned (grants,
 * exp, claims) in a small cache keyed by the token's exact bytes. Only tokens that
 * verified are cached, so a cache entry is proof that the bytes carry a valid
 * signature by one of the configured secrets. The cache is emptied whenever the
 * configuration changes (a secret, require_exp, missing_access): the caller passes
 * a generation number that its settings' assign hooks bump.
 *
 * What can change while a token stays the same is checked by the caller on every
 * statement: expiry (check_live, with the current leeway and clock) and value_exists
 * (a database lookup, done by the SQL glue).
 */
#pragma once

#include "jwt/jwks.h"
#include "jwt/jwt.h"
#include "rbac/claims.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vecrbac::rbac
{

struct SessionConfig
{
	std::string_view secret;     /* vecrbac.jwt_secret ("" = unset) */
	std::string_view secret_alt; /* vecrbac.jwt_secret_alt ("" = unset) */
	std::string_view jwks;       /* vecrbac.jwks: a JSON Web Key Set ("" = none) */
	std::int64_t leeway_seconds = 30;
	bool require_exp = true;
	MissingAccess missing_access = MissingAccess::Nothing;
	std::size_t max_token_bytes = jwt::kDefaultMaxTokenBytes;
	/* Accept tokens that may write their own value_exists collection. */
	bool allow_writable_value_exists = false;
	/* Accepted "iss" values, comma-separated ("" = any, iss not required). */
	std::string_view issuers;
	/* Accepted "aud" values, comma-separated ("" = any, aud not required). */
	std::string_view audiences;
	/* Where access and value_exists live: "" for the top level, else a member name or a
	   dotted path of member names (see grants_object). */
	std::string_view claims_path;
};

struct Session
{
	Grants grants;
	std::optional<std::int64_t> exp;
	std::string claims_json;
};

class TokenCache
{
  public:
	static constexpr std::size_t kCapacity = 16;
	/*
	 * And at most this many bytes of token text (a parsed session is a few times its
	 * token): with the size cap raised to 1 MB, 16 such tokens would otherwise keep
	 * about 75 MB per backend; with the budget, about 5 MB. (A token larger than the
	 * budget, which the cap does not allow today, would be verified on every use.)
	 */
	static constexpr std::size_t kCapacityBytes = 1024 * 1024;

	/*
	 * The session of a token: from the cache, or verified now (with `now` as the
	 * clock) and cached. Throws SqlError: 28000 for a refused token, 22023 when no
	 * secret is configured.
	 */
	std::shared_ptr<const Session> get(std::string_view token, const SessionConfig &config,
	                                   std::uint64_t generation, std::int64_t now);

	std::size_t size() const noexcept { return entries_.size(); }
	std::size_t bytes() const noexcept { return bytes_; }
	void clear() noexcept;

  private:
	struct Entry
	{
		std::string token;
		std::shared_ptr<const Session> session;
		std::uint64_t last_used;
	};
	std::uint64_t generation_ = 0;
	std::uint64_t clock_ = 0;
	std::size_t bytes_ = 0; /* token text held by entries_ */
	bool keys_built_ = false;
	std::vector<jwt::Key> keys_;     /* the HMAC secrets */
	std::vector<jwt::JwksKey> jwks_; /* vecrbac.jwks, chosen by kid */

	jwt::VerifiedToken verify_with_keys(std::string_view token, jwt::VerifyOptions options);
	std::vector<Entry> entries_;
};

/*
 * Throws SqlError 28000 unless the claims name an accepted issuer and audience (when
 * the configuration lists any): "iss" one of the issuers; "aud" (a string or a list
 * of strings) containing one of the audiences.
 */
void check_issuer_audience(const jwt::Json &claims, const SessionConfig &config);

/*
 * The object that holds "access" and "value_exists": the claims themselves for an empty
 * path; else the member named path (namespaced claims are often URLs, which contain
 * dots), or failing that the dotted path of members. nullptr if there is none (the
 * token then grants what a token without "access" grants).
 */
const jwt::Json *grants_object(const jwt::Json &claims, std::string_view path);

/* Throws SqlError 28000 "token expired" unless now < exp + leeway. */
void check_live(const Session &session, std::int64_t now, std::int64_t leeway_seconds);

/* Problem with a secret setting's value, or nullptr if it is usable ("" is: unset). */
const char *secret_problem(std::string_view secret) noexcept;

} // namespace vecrbac::rbac
