// parse_float reads exactly what strtof reads: the same status, the same bits and
// the same end, on hand-picked edge cases and on many random decimal spellings.
#include "vector/float_parse.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

using vecrbac::vec::FloatParse;
using vecrbac::vec::parse_float;

namespace
{

// What vector input did before parse_float: strtof and its errno.
struct Reading
{
	FloatParse status;
	float value;
	std::size_t consumed;
};

Reading with_strtof(const std::string &s)
{
	char *end;
	errno = 0;
	float v = std::strtof(s.c_str(), &end);
	if (end == s.c_str())
		return {FloatParse::no_number, 0, 0};
	std::size_t n = end - s.c_str();
	if (errno == ERANGE && std::isinf(v))
		return {FloatParse::out_of_range, 0, n};
	return {FloatParse::ok, v, n};
}

Reading with_parse_float(const std::string &s)
{
	float v = 0;
	const char *end = nullptr;
	FloatParse st = parse_float(s.c_str(), s.c_str() + s.size(), &v, &end);
	if (st == FloatParse::no_number)
		return {st, 0, 0};
	return {st, st == FloatParse::ok ? v : 0, static_cast<std::size_t>(end - s.c_str())};
}

void expect_same(const std::string &s)
{
	Reading a = with_strtof(s), b = with_parse_float(s);
	SCOPED_TRACE("input \"" + s + "\"");
	ASSERT_EQ(static_cast<int>(a.status), static_cast<int>(b.status));
	ASSERT_EQ(a.consumed, b.consumed);
	if (std::isnan(a.value))
		ASSERT_TRUE(std::isnan(b.value));
	else
		ASSERT_EQ(0, std::memcmp(&a.value, &b.value, sizeof(float)));
}

} // namespace

TEST(FloatParse, EdgeCasesMatchStrtof)
{
	const char *numbers[] = {
	    "0",
	    "-0",
	    "+0",
	    "1",
	    "-1",
	    "+1",
	    "1.",
	    ".5",
	    "-.5",
	    "1.5e3",
	    "1.5E+3",
	    "1e-3",
	    "1e",
	    "1e+",
	    "1e-",
	    ".",
	    "-",
	    "+",
	    "e5",
	    ".e1",
	    "--1",
	    "+-1",
	    "1.2.3",
	    "0x10",
	    "0X1p3",
	    "0x",
	    "0xg",
	    "inf",
	    "-inf",
	    "Infinity",
	    "-INFINITY",
	    "infinit",
	    "nan",
	    "NaN",
	    "-nan",
	    "nan(123)",
	    "3.4028235e38",
	    "3.4028236e38",
	    "3.40282357e38",
	    "4e38",
	    "-4e38",
	    "1e39",
	    "1e400",
	    "1.17549435e-38",
	    "1.4e-45",
	    "7e-46",
	    "1e-46",
	    "-1e-46",
	    "1e-400",
	    "16777217",
	    "0.1",
	    "0.30000000000000004",
	    "123456789012345678901234567890",
	    "0.000000000000000000000000000000000000000000001",
	    "00001.5000",
	    "1_000",
	    "1,5",
	    "١",
	    "",
	    "x",
	    "]",
	    ",",
	};
	const char *tails[] = {"",   ",",  "]", " ", "\t", "\n", "\v",
	                       "\f", "\r", "x", "e", ".",  "[",  "1"};
	for (const char *n : numbers)
		for (const char *t : tails)
			expect_same(std::string(n) + t);
}

TEST(FloatParse, LongInputsMatchStrtof)
{
	expect_same("0." + std::string(100000, '1') + ",");
	expect_same(std::string(100000, '1') + "]");
	expect_same("1" + std::string(50, '0') + "e-50,");
	expect_same("0." + std::string(60, '0') + "1e60]");
}

TEST(FloatParse, RandomDecimalsMatchStrtof)
{
	std::mt19937_64 rng(20261128);
	std::uniform_int_distribution<int> digit(0, 9), len(1, 25), exp10(-50, 40), coin(0, 3);
	const char *tails[] = {",", "]", " ", ""};
	for (int i = 0; i < 200000; i++)
	{
		std::string s;
		if (coin(rng) == 0)
			s += '-';
		int before = len(rng) % 12, after = coin(rng) == 0 ? 0 : len(rng);
		for (int j = 0; j < before; j++)
			s += char('0' + digit(rng));
		if (after > 0 || before == 0)
		{
			s += '.';
			for (int j = 0; j < after; j++)
				s += char('0' + digit(rng));
		}
		if (coin(rng) != 0)
			s += (coin(rng) ? "e" : "E") + std::to_string(exp10(rng));
		s += tails[coin(rng)];
		expect_same(s);
	}
}

TEST(FloatParse, EveryShortestOutputReadsBack)
{
	// Shortest round-trip spellings of random bit patterns (as vector output prints
	// them) read back to the same bits through the fast path.
	std::mt19937 rng(7);
	char buf[64];
	for (int i = 0; i < 200000; i++)
	{
		std::uint32_t bits = rng();
		float f;
		std::memcpy(&f, &bits, sizeof f);
		if (!std::isfinite(f))
			continue;
		std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, f);
		*r.ptr = ',';
		r.ptr[1] = '\0';
		expect_same(buf);
		float back;
		const char *end;
		ASSERT_EQ(FloatParse::ok, parse_float(buf, r.ptr + 1, &back, &end));
		ASSERT_EQ(0, std::memcmp(&f, &back, sizeof f)) << buf;
	}
}
