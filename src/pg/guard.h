/*
 * guard.h: the C++/PostgreSQL boundary.
 *
 * Two kinds of non-local exit must never meet:
 *  - A C++ exception that reaches PostgreSQL's C frames aborts the backend
 *    (std::terminate), and the postmaster then restarts every session.
 *  - ereport(ERROR) is a longjmp: it skips the destructors of every C++ frame it
 *    crosses, leaking or corrupting whatever they own.
 *
 * So every entry point that runs C++ which may throw goes through guarded():
 * it runs the body inside try, copies the message into a fixed buffer, and raises
 * the PostgreSQL error only after the catch block has ended, when no C++ object is
 * alive in this frame. The body itself must follow the pure C++ dialect: it may
 * throw, and it must not call PostgreSQL functions that can ereport while it owns
 * C++ objects (see docs/development.md).
 */
#pragma once

#include "pg/pg.h"
#include "common/sql_error.h"

#include <cstdio>
#include <exception>
#include <new>
#include <type_traits>

namespace vecrbac::pg
{

/* What a caught exception leaves behind: trivially destructible by design. */
struct CaughtError
{
	int sqlerrcode;
	char message[512];
};

/* Fills *out from the exception in flight; called only inside a catch block. */
void capture_current_exception(CaughtError *out) noexcept;

/* Raises *err as ereport(ERROR); never returns. */
[[noreturn]] void raise_caught(const CaughtError *err);

/*
 * Runs body() and returns its result; a C++ exception becomes ereport(ERROR)
 * raised outside the catch block.
 */
template <typename Body> auto guarded(Body &&body) -> decltype(body())
{
	using Result = decltype(body());
	CaughtError err;

	try
	{
		if constexpr (std::is_void_v<Result>)
		{
			body();
			return;
		}
		else
			return body();
	}
	catch (...)
	{
		capture_current_exception(&err);
	}
	raise_caught(&err);
}

} // namespace vecrbac::pg
