/*
 * float_parse.cpp: std::from_chars for the common case, strtof for the rest.
 *
 * libstdc++'s from_chars for float is correctly rounded, as glibc's strtof is, so
 * both give the same value for the same decimal number. The fast path is taken
 * only when from_chars read a number and stopped at a character that ends an
 * element (separator, bracket, whitespace, end of string): strtof, which accepts a
 * superset of from_chars' syntax, stops at the same place then. Everything else is
 * decided by strtof, including what counts as a range error.
 */
#include "vector/float_parse.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace vecrbac::vec
{

static inline bool ends_element(char c)
{
	return c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f' || c == '\0';
}

FloatParse parse_float(const char *p, const char *limit, float *value, const char **end)
{
	float fast;
	std::from_chars_result r = std::from_chars(p, limit, fast, std::chars_format::general);

	if (r.ec == std::errc() && r.ptr != p && ends_element(*r.ptr))
	{
		*value = fast;
		*end = r.ptr;
		return FloatParse::ok;
	}

	char *stop;
	errno = 0;
	float slow = std::strtof(p, &stop);
	if (stop == p)
		return FloatParse::no_number;
	*end = stop;
	if (errno == ERANGE && std::isinf(slow))
		return FloatParse::out_of_range;
	*value = slow;
	return FloatParse::ok;
}

} // namespace vecrbac::vec
