/*
 * token_check.cpp: the helpers of with_session (token_check.h): settings, the
 * value_exists lookup's inputs, and the errors of a refused call.
 */
#include "rbac_sql/token_check.h"

#include "rbac_sql/value_exists.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include <cstring>
#include <string>
#include <vector>

namespace vecrbac::rbac_pg
{

namespace settings = vecrbac::rbac::settings;

rbac::TokenCache *token_cache = nullptr;

/* A copy of s in the current memory context; throws std::bad_alloc when out of memory (never
 * raises). */
char *copy_no_raise(std::string_view s)
{
	char *p = static_cast<char *>(palloc_extended(s.size() + 1, MCXT_ALLOC_NO_OOM));
	if (p == nullptr)
		throw std::bad_alloc();
	std::memcpy(p, s.data(), s.size());
	p[s.size()] = '\0';
	return p;
}

vecrbac::rbac::SessionConfig session_config()
{
	rbac::SessionConfig c;
	c.secret = settings::secret ? settings::secret : "";
	c.secret_alt = settings::secret_alt ? settings::secret_alt : "";
	c.leeway_seconds = settings::leeway;
	c.require_exp = settings::require_exp;
	c.missing_access =
	    settings::missing_access == 1 ? rbac::MissingAccess::Manage : rbac::MissingAccess::Nothing;
	c.max_token_bytes = static_cast<size_t>(vecrbac::jwt::settings::max_token_bytes);
	c.allow_writable_value_exists = settings::allow_writable_value_exists;
	c.jwks = settings::jwks ? settings::jwks : "";
	c.issuers = settings::issuer ? settings::issuer : "";
	c.audiences = settings::audience ? settings::audience : "";
	c.claims_path = settings::claims_path ? settings::claims_path : "";
	return c;
}

/*
 * Whether the token's value_exists condition holds: its collection's registry entry
 * tells which pairs name key columns; the lookup itself is value_exists.cpp's.
 */
bool value_exists_holds(const char *token, const rbac::SessionConfig &config,
                        std::uint64_t generation, std::int64_t now, const char *collection)
{
	VeCollection c;
	if (!VeReadCollection(collection, &c))
		return false;
	VeTest *tests =
	    static_cast<VeTest *>(palloc0(sizeof(VeTest) * (rbac::kMaxValueExistsPairs + 1)));
	int ntests = 0;
	vecrbac::pg::guarded(
	    [&]
	    {
		    std::vector<std::string> key_names(c.keys, c.keys + c.nkeys);
		    auto session = token_cache->get(token, config, generation, now);
		    for (const rbac::LookupTest &t :
		         rbac::value_exists_tests(*session->grants.value_exists, key_names))
		    {
			    VeTest &out = tests[ntests++];
			    out.scope = copy_no_raise(t.scope);
			    out.payload = t.key.empty();
			    out.column = c.payload_column;
			    for (int i = 0; i < c.nkeys; i++)
				    if (t.key == c.keys[i])
					    out.column = c.columns[i];
		    }
	    });
	return VeRowExists(&c, tests, ntests);
}

[[noreturn]] void no_token()
{
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("no token is set"),
	                errhint("SET vecrbac.token = '<jwt>' or call vecrbac.login(token) first.")));
	pg_unreachable();
}

static const char *operation_name(rbac::Operation op)
{
	switch (op)
	{
	case rbac::Operation::Read:
		return "read";
	case rbac::Operation::Write:
		return "write";
	case rbac::Operation::Truncate:
		return "truncate";
	case rbac::Operation::Index:
		return "index";
	case rbac::Operation::Manage:
		return "manage";
	}
	return "?";
}

[[noreturn]] void denied(const char *collection, rbac::Operation op)
{
	if (op == rbac::Operation::Manage)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("permission denied: the token does not grant manage access"),
		                errhint("Manage operations need a token with \"access\": \"m\".")));
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
	                errmsg("permission denied for collection \"%s\"", collection),
	                errdetail("The token does not grant %s access to it.", operation_name(op))));
	pg_unreachable();
}

void check_access(const char *collection, rbac::Operation op, RbacStatement *statement)
{
	std::string_view name(collection);
	bool allowed = false;
	with_session(RbacSessionToken(), statement, false,
	             [&](const rbac::Session &s) { allowed = rbac::allows(s.grants, name, op); });
	if (!allowed)
		denied(collection, op);
}

void check_key_types(const char *collection, Oid relid, const char *key_columns,
                     RbacStatement *statement)
{
	constexpr int kMax = 8; /* protect() allows at most 8 key columns */
	char *keys[kMax];
	char *columns[kMax];
	int n = 0;
	vecrbac::pg::guarded(
	    [&]
	    {
		    for (const auto &[key, column] : rbac::parse_key_columns(key_columns))
			    if (n < kMax)
			    {
				    keys[n] = copy_no_raise(key);
				    columns[n] = copy_no_raise(column);
				    n++;
			    }
	    });
	rbac::KeyKind kinds[kMax];
	char *type_names[kMax];
	for (int i = 0; i < n; i++)
	{
		AttrNumber att = get_attnum(relid, columns[i]);
		Oid type = att == InvalidAttrNumber ? InvalidOid : get_atttype(relid, att);
		kinds[i] = type == BOOLOID ? rbac::KeyKind::Boolean
		           : (type == INT2OID || type == INT4OID || type == INT8OID)
		               ? rbac::KeyKind::Integer
		               : rbac::KeyKind::String;
		type_names[i] = OidIsValid(type) ? format_type_be(type) : pstrdup("missing");
	}
	std::string_view name(collection);
	with_session(
	    RbacSessionToken(), statement, false,
	    [&](const rbac::Session &s)
	    {
		    std::vector<rbac::KeyColumn> described;
		    for (int i = 0; i < n; i++)
			    described.push_back(rbac::KeyColumn{keys[i], columns[i], kinds[i], type_names[i]});
		    rbac::check_key_types(s.grants, name, described);
	    });
}

} // namespace vecrbac::rbac_pg
