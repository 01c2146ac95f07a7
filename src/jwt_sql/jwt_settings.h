/*
 * jwt_settings.h: the jwt part's settings, for the SQL glue and for the rbac part.
 *
 *   vecrbac.jwt_max_token_bytes  longest token accepted (bytes, default 8192, 64 B to
 *                                1 MiB), checked before decoding; superuser-only.
 *   vecrbac.jwt_test_now         a fixed clock for tests, seconds since the epoch;
 *                                0 (default) means the real clock; superuser-only.
 *
 * Only plain C types here: the header is usable from any dialect.
 */
#pragma once

#include <cstdint>

namespace vecrbac::jwt::settings
{

extern int max_token_bytes;
extern int test_now;

/* Registers the settings; called once from _PG_init. */
void define(void);

/*
 * The time JWT checks use, in seconds since the epoch: vecrbac.jwt_test_now if set,
 * else the start time of the current statement (one value per statement, the same
 * in parallel workers). Never raises an error.
 */
std::int64_t now_seconds(void);

} // namespace vecrbac::jwt::settings
