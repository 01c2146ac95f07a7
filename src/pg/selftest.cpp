/*
 * selftest.cpp: vecrbac._boundary_selftest(kind text), proof that the boundary holds.
 *
 * Each kind raises a different C++ failure deep inside pure C++ code that owns
 * resources; the regression test checks that each arrives as a clean SQL error with
 * the right SQLSTATE and that the same backend keeps serving queries.
 */
#include "pg/guard.h"

extern "C"
{
#include "utils/builtins.h"
}

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

/* Owns heap memory when it throws, so a skipped destructor would leak. */
int fail_deep_inside(const std::string &kind, int depth)
{
	std::vector<std::string> owned(8, std::string(64, 'x'));
	auto also_owned = std::make_unique<int[]>(1024);

	if (depth > 0)
		return fail_deep_inside(kind, depth - 1) + static_cast<int>(owned.size());
	if (kind == "std")
		throw std::runtime_error("selftest std::runtime_error");
	if (kind == "sqlstate")
		throw vecrbac::SqlError("22023", "selftest error with SQLSTATE 22023");
	if (kind == "bad_alloc")
		throw std::bad_alloc();
	if (kind == "unknown")
		throw 42;
	if (kind == "none")
		return 0;
	throw vecrbac::SqlError("22023", "unknown selftest kind \"" + kind + "\"");
}

} // namespace

VECRBAC_FUNCTION(vecrbac_boundary_selftest)
{
	text *kind_text = PG_GETARG_TEXT_PP(0);
	/* Copy out of PostgreSQL memory before entering the C++ dialect. */
	const char *kind = text_to_cstring(kind_text);

	int result = vecrbac::pg::guarded([&] { return fail_deep_inside(kind, 3); });
	PG_RETURN_INT32(result);
}
