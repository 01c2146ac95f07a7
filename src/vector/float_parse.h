/*
 * float_parse.h: reading one float4 element of a vector literal (pure C++).
 *
 * Behaves exactly like strtof(p, &end) as vector input has always used it (the same
 * accepted forms, the same correctly rounded value, the same end), but takes the
 * fast, locale-free std::from_chars path for plain decimal numbers followed by a
 * separator, which is nearly every element of every literal; anything else (a '+'
 * sign, hex, range errors, odd tails) goes to strtof itself.
 */
#pragma once

namespace vecrbac::vec
{

enum class FloatParse
{
	ok,          /* *value and *end are set; the value may be NaN or infinite */
	no_number,   /* nothing that reads as a number at p */
	out_of_range /* overflow to infinity (strtof's ERANGE with an infinite result) */
};

/*
 * Reads a float at p, which points at a non-space character of a NUL-terminated
 * string whose terminator is at limit. On ok and out_of_range, *end is where the
 * number ends.
 */
FloatParse parse_float(const char *p, const char *limit, float *value, const char **end);

} // namespace vecrbac::vec
