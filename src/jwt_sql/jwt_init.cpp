/*
 * jwt_init.cpp: settings of the jwt part, registered from _PG_init.
 *
 * Both settings are PGC_SUSET: the token size cap bounds the work any session can
 * make a verification do, and a fixed clock would let expired tokens through, so
 * neither may be changed by ordinary roles (nor through ALTER ROLE ... SET by them).
 * The test clock is for the test suites only: hidden from SHOW ALL, pg_settings and
 * the sample configuration file (docs/development.md, "Test-only settings").
 */
#include "pg/pg.h"
#include "module.h"

extern "C"
{
#include "access/xact.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include "jwt_sql/jwt_settings.h"

#include <climits>

namespace vecrbac::jwt::settings
{

int max_token_bytes = 8192;
int test_now = 0;

void define(void)
{
	DefineCustomIntVariable("vecrbac.jwt_max_token_bytes",
	                        "Longest JWT accepted, in bytes; checked before anything is decoded.",
	                        NULL, &max_token_bytes, 8192, 64, 1024 * 1024, PGC_SUSET, GUC_UNIT_BYTE,
	                        NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "vecrbac.jwt_test_now",
	    "Fixed clock for JWT time checks, in seconds since the epoch (0: the real "
	    "clock). For tests only.",
	    NULL, &test_now, 0, 0, INT_MAX, PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL,
	    NULL);
}

std::int64_t now_seconds(void)
{
	if (test_now > 0)
		return test_now;
	return static_cast<std::int64_t>(timestamptz_to_time_t(GetCurrentStatementStartTimestamp()));
}

} // namespace vecrbac::jwt::settings

void vecrbac_jwt_init(void)
{
	vecrbac::jwt::settings::define();
}
