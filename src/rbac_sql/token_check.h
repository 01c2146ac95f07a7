/*
 * token_check.h: a call's token, verified and checked before anything is answered
 * (PostgreSQL-style glue around the pure C++ session cache, rbac/session.h).
 *
 * with_session(token, statement, force_value_exists, use) verifies the token (from
 * the cache when it can), checks its expiry and, once per statement, its value_exists
 * condition; then runs use(session), pure C++, inside guarded(). It raises 42501
 * without a token and 28000 for a refused one. With a statement record, its token is
 * used, and the lookup is not repeated once made for it (a cursor's FETCHes).
 */
#pragma once

#include "pg/guard.h"

extern "C"
{
#include "access/parallel.h"
}

#include "jwt_sql/jwt_settings.h"
#include "rbac/claims.h"
#include "rbac_sql/rbac_settings.h"
#include "rbac/session.h"
#include "rbac_sql/statement_token.h"

#include <cstdint>
#include <string_view>

namespace vecrbac::rbac_pg
{

namespace rbac = vecrbac::rbac;

/* The backend's cache of verified tokens, made on first use. */
extern rbac::TokenCache *token_cache;

/* A copy of s in the current memory context; throws std::bad_alloc when out of memory (never
 * raises). */
char *copy_no_raise(std::string_view s);

/* The settings that decide whether a token is accepted. */
rbac::SessionConfig session_config();

/* Whether the token's value_exists condition holds (a lookup in its collection). */
bool value_exists_holds(const char *token, const rbac::SessionConfig &config,
                        std::uint64_t generation, std::int64_t now, const char *collection);

[[noreturn]] void no_token();
[[noreturn]] void denied(const char *collection, rbac::Operation op);

/* Raises unless the statement's token allows op on the collection. */
void check_access(const char *collection, rbac::Operation op, RbacStatement *statement);

/*
 * Raises 28000 when the token restricts a key column of the table (key_columns: the
 * registered {"token key": "column"} JSON) with a value of a type it cannot hold.
 */
void check_key_types(const char *collection, Oid relid, const char *key_columns,
                     RbacStatement *statement);

template <typename Use>
void with_session(const char *token, RbacStatement *statement, bool force_value_exists, Use &&use)
{
	if (statement != nullptr)
		token = statement->token;
	if (token == nullptr || token[0] == '\0')
		no_token();

	rbac::SessionConfig config = session_config();
	std::uint64_t generation = rbac::settings::generation;
	std::int64_t now = vecrbac::jwt::settings::now_seconds();
	bool check_ve =
	    !IsParallelWorker() &&
	    (force_value_exists || !((statement != nullptr && statement->value_exists_checked) ||
	                             RbacCheckedThisStatement(token)));
	char *ve_collection = nullptr;

	vecrbac::pg::guarded(
	    [&]
	    {
		    if (token_cache == nullptr)
			    token_cache = new rbac::TokenCache();
		    auto session = token_cache->get(token, config, generation, now);
		    rbac::check_live(*session, now, config.leeway_seconds);
		    if (check_ve && session->grants.value_exists)
			    ve_collection = copy_no_raise(session->grants.value_exists->collection);
	    });
	if (ve_collection != nullptr)
	{
		if (!value_exists_holds(token, config, generation, now, ve_collection))
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			         errmsg("token is not valid: its value_exists condition matches no row")));
		if (statement != nullptr)
			statement->value_exists_checked = true;
		RbacMarkChecked(token);
	}
	vecrbac::pg::guarded(
	    [&]
	    {
		    auto session = token_cache->get(token, config, generation, now);
		    use(*session);
	    });
}

} // namespace vecrbac::rbac_pg
