/*
 * float_parse_fuzzer.cpp: src/vector/float_parse (pure C++) against strtof, its
 * specification. For any NUL-terminated string, parse_float must report what strtof
 * reports: the same end, the same value bit for bit (NaN: any NaN), no_number
 * exactly when strtof reads nothing, out_of_range exactly when strtof overflows.
 *
 * fuzz-sources: src/vector/float_parse.cpp
 */
#include "vector/float_parse.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using vecrbac::vec::FloatParse;

static void fail(const char *what, const std::string &input)
{
	fprintf(stderr, "float_parse: %s for \"%s\"\n", what, input.c_str());
	abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string s(reinterpret_cast<const char *>(data), size);
	s = s.c_str(); /* up to the first NUL, as a cstring */
	/* parse_float is called at a non-space character, as vector_in does. */
	size_t start = s.find_first_not_of(" \t\n\r\v\f");
	if (start == std::string::npos)
		return 0;
	const char *p = s.c_str() + start;
	const char *limit = s.c_str() + s.size();

	float value = 0;
	const char *end = nullptr;
	FloatParse r = vecrbac::vec::parse_float(p, limit, &value, &end);

	char *stop;
	errno = 0;
	float expect = std::strtof(p, &stop);
	bool overflow = errno == ERANGE && std::isinf(expect);

	if (stop == p)
	{
		if (r != FloatParse::no_number)
			fail("a number where strtof reads none", s);
		return 0;
	}
	if (r == FloatParse::no_number)
		fail("no number where strtof reads one", s);
	if (end != stop)
		fail("a different end than strtof", s);
	if (overflow != (r == FloatParse::out_of_range))
		fail("range error disagrees with strtof", s);
	if (r == FloatParse::ok)
	{
		if (std::isnan(expect) ? !std::isnan(value) : memcmp(&value, &expect, sizeof(float)) != 0)
			fail("a different value than strtof", s);
	}
	return 0;
}
