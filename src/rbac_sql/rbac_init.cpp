/*
 * rbac_init.cpp: settings of the rbac part, registered from _PG_init.
 *
 * The token lives in a setting because settings already have every lifetime a
 * session token needs: SET and SET LOCAL, RESET and DISCARD ALL, undo on transaction
 * and savepoint rollback, and copying into parallel workers. Everything that decides
 * whether a token is accepted (secrets, leeway, require_exp, missing_access) is
 * PGC_SUSET: nothing a client can SET without a valid signature changes what it may
 * see. The secrets are also GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL: SHOW,
 * current_setting() and pg_settings hide them from everyone else, and a value that
 * is refused is never quoted in the error (the check hook sets its own message).
 */
#include "pg/pg.h"
#include "module.h"

extern "C"
{
#include "utils/guc.h"
}

#include "jwt/jwks.h"
#include "rbac_sql/executor_check.h"
#include "rbac_sql/planning_scope.h"
#include "rbac_sql/policy_constants.h"
#include "rbac_sql/rbac_settings.h"
#include "rbac/session.h"

#include <cstdio>
#include <string_view>

namespace vecrbac::rbac::settings
{

char *token = nullptr;
char *secret = nullptr;
char *secret_alt = nullptr;
int leeway = 30;
bool require_exp = true;
int missing_access = 0;
bool allow_writable_value_exists = false;
int token_lifetime = kLifetimeSession;
char *jwks = nullptr;
char *issuer = nullptr;
char *audience = nullptr;
char *claims_path = nullptr;
std::uint64_t generation = 1;

namespace
{

const struct config_enum_entry kTokenLifetime[] = {
    {"session", kLifetimeSession, false},
    {"transaction", kLifetimeTransaction, false},
    {nullptr, 0, false},
};

const struct config_enum_entry kMissingAccess[] = {
    {"none", 0, false},
    {"m", 1, false},
    {nullptr, 0, false},
};

bool check_secret_named(const char *name, char **newval)
{
	const char *problem = secret_problem(*newval ? std::string_view(*newval) : std::string_view());
	if (problem == nullptr)
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errmsg("%s %s", name, problem);
	return false;
}

bool check_secret(char **newval, void **extra, GucSource source)
{
	return check_secret_named("vecrbac.jwt_secret", newval);
}

bool check_secret_alt(char **newval, void **extra, GucSource source)
{
	return check_secret_named("vecrbac.jwt_secret_alt", newval);
}

/*
 * Why a key set cannot be used, into problem (empty if it can). Pure C++: nothing it
 * owns outlives the call, so the check hook below may raise after it.
 */
void jwks_problem(const char *value, char *problem, std::size_t size) noexcept
{
	problem[0] = '\0';
	try
	{
		(void)vecrbac::jwt::parse_jwks(value ? std::string_view(value) : std::string_view());
	}
	catch (const std::exception &e)
	{
		std::snprintf(problem, size, "%s", e.what());
	}
	catch (...)
	{
		std::snprintf(problem, size, "vecrbac.jwks cannot be used");
	}
}

/* A key set is parsed (and its keys built) here, so that a broken one is never in force. */
bool check_jwks(char **newval, void **extra, GucSource source)
{
	char problem[512];
	jwks_problem(*newval, problem, sizeof(problem));
	if (problem[0] == '\0')
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errmsg("%s", problem);
	return false;
}

void bump_string(const char *newval, void *extra)
{
	generation++;
}

void bump_bool(bool newval, void *extra)
{
	generation++;
}

void bump_int(int newval, void *extra)
{
	generation++;
}

} // namespace

void define(void)
{
	DefineCustomStringVariable(
	    "vecrbac.token", "The session's JWT: what protected tables may show and change.",
	    "Set it with SET [LOCAL] or vecrbac.login(); empty means no access.", &token, "",
	    PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, RbacPlanningTokenAssigned, NULL);
	DefineCustomStringVariable("vecrbac.jwt_secret", "HMAC secret that signs session tokens.",
	                           "At least 32 bytes. Superuser-only to set and to read.", &secret, "",
	                           PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
	                           check_secret, bump_string, NULL);
	DefineCustomStringVariable(
	    "vecrbac.jwt_secret_alt", "Second HMAC secret accepted for session tokens (key rotation).",
	    "At least 32 bytes. Superuser-only to set and to read.", &secret_alt, "", PGC_SUSET,
	    GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, check_secret_alt, bump_string,
	    NULL);
	DefineCustomIntVariable("vecrbac.leeway",
	                        "Clock skew tolerated on the exp, nbf and iat of session tokens.", NULL,
	                        &leeway, 30, 0, 86400, PGC_SUSET, GUC_UNIT_S, NULL, bump_int, NULL);
	DefineCustomBoolVariable("vecrbac.require_exp", "Refuse session tokens without an exp claim.",
	                         NULL, &require_exp, true, PGC_SUSET, 0, NULL, bump_bool, NULL);
	DefineCustomEnumVariable("vecrbac.missing_access",
	                         "What a session token without an access claim grants.",
	                         "none (default) or m: everything, as Qdrant does.", &missing_access, 0,
	                         kMissingAccess, PGC_SUSET, 0, NULL, bump_int, NULL);
	DefineCustomStringVariable(
	    "vecrbac.jwks", "Asymmetric keys for session tokens: a JSON Web Key Set, chosen by kid.",
	    "Each key needs kid and alg (RS256, PS256, ES256, EdDSA). Load the provider's JWKS "
	    "with ALTER SYSTEM and pg_reload_conf().",
	    &jwks, "", PGC_SUSET, GUC_NOT_IN_SAMPLE, check_jwks, bump_string, NULL);
	DefineCustomStringVariable("vecrbac.issuer",
	                           "Issuers whose session tokens are accepted (iss), comma-separated.",
	                           "Empty: any issuer, and iss is not required.", &issuer, "",
	                           PGC_SUSET, 0, NULL, bump_string, NULL);
	DefineCustomStringVariable("vecrbac.audience",
	                           "Audiences a session token must name (aud), comma-separated.",
	                           "Empty: any audience, and aud is not required.", &audience, "",
	                           PGC_SUSET, 0, NULL, bump_string, NULL);
	DefineCustomStringVariable("vecrbac.claims_path",
	                           "The claim of session tokens that holds access and value_exists.",
	                           "Empty: the top level (Qdrant's). A member name (e.g. a URL) or a "
	                           "dotted path such as app_metadata.vecrbac.",
	                           &claims_path, "", PGC_SUSET, 0, NULL, bump_string, NULL);
	DefineCustomEnumVariable(
	    "vecrbac.token_lifetime", "Whether a session token must be set for the transaction.",
	    "transaction: only SET LOCAL (and the like) counts, for transaction-pooling poolers.",
	    &token_lifetime, kLifetimeSession, kTokenLifetime, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable(
	    "vecrbac.allow_writable_value_exists",
	    "Accept session tokens that may write the collection of their own value_exists.",
	    "Such a token can insert a matching row and so stay valid after its row is removed.",
	    &allow_writable_value_exists, false, PGC_SUSET, 0, NULL, bump_bool, NULL);
}

} // namespace vecrbac::rbac::settings

void vecrbac_rbac_init(void)
{
	vecrbac::rbac::settings::define();
	RbacInstallExecutorCheck();
	RbacInstallPolicyConstants();
}
