/*
 * pg_stubs.h: just enough of the PostgreSQL backend for fuzzing vecrbac's SQL-callable
 * functions outside a server (pg_stubs.cpp).
 *
 * Why stubs rather than pure C++ pieces: the parser and the receive path live in the
 * Postgres-dialect functions themselves (vector_in, vector_recv), and their error
 * paths (ereport) are what hostile input exercises most. Linking the very object
 * code that ships, against a dozen stand-in functions, fuzzes exactly that code,
 * with no refactoring of the vector part. The stand-ins follow PostgreSQL's
 * documented behaviour: ereport(ERROR) unwinds with siglongjmp to the caller (here
 * the harness), palloc'd memory is freed all at once afterwards (here: every
 * allocation is its own malloc block, so ASan sees an overflow by one byte, where a
 * server's allocator would hide it inside a larger chunk), pq_getmsg* refuse to read
 * past the message. float_to_shortest_decimal_bufn is PostgreSQL's own (libpgcommon).
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "lib/stringinfo.h"
}

namespace vrfuzz
{

/* The outcome of one call. */
struct Outcome
{
	bool error;          /* an ereport(ERROR) happened */
	int sqlstate;        /* its errcode (ERRCODE_INTERNAL_ERROR when none was given) */
	const char *message; /* its errmsg, formatted */
	Datum result;        /* the return value when !error */
};

/* Calls fn with fcinfo; an ereport(ERROR) inside comes back as Outcome.error. */
Outcome call(PGFunction fn, FunctionCallInfo fcinfo);

/* Frees everything palloc'd since the last reset (call after each input). */
void reset_memory();

/* Aborts with a message (a finding): for properties the harness checks. */
[[noreturn]] void fail(const char *what, const char *detail = "");

} // namespace vrfuzz
