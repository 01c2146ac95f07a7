/*
 * guard.cpp: turning a caught C++ exception into a PostgreSQL error.
 */
#include "pg/guard.h"

#include <cstring>

namespace vecrbac::pg
{

static void copy_message(CaughtError *out, const char *text) noexcept
{
	std::strncpy(out->message, text, sizeof(out->message) - 1);
	out->message[sizeof(out->message) - 1] = '\0';
}

void capture_current_exception(CaughtError *out) noexcept
{
	out->sqlerrcode = ERRCODE_INTERNAL_ERROR;
	try
	{
		throw;
	}
	catch (const SqlError &e)
	{
		const char *s = e.sqlstate();
		out->sqlerrcode = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
		copy_message(out, e.what());
	}
	catch (const std::bad_alloc &)
	{
		out->sqlerrcode = ERRCODE_OUT_OF_MEMORY;
		copy_message(out, "out of memory");
	}
	catch (const std::exception &e)
	{
		std::snprintf(out->message, sizeof(out->message), "internal error: %s", e.what());
	}
	catch (...)
	{
		copy_message(out, "internal error: unknown C++ exception");
	}
}

void raise_caught(const CaughtError *err)
{
	ereport(ERROR, (errcode(err->sqlerrcode), errmsg_internal("%s", err->message)));
	pg_unreachable();
}

} // namespace vecrbac::pg
