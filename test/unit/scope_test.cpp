// scope: the vecrbac.scope format's one contract (src/scope/scope.h): writing, reading,
// every validation error, paths, uuid spellings and integer numbers.
#include "scope/scope.h"

#include <gtest/gtest.h>

#include <string>

using namespace vecrbac::scope;

namespace
{

// The error parse() gives, or "ok".
std::string error_of(const std::string &text)
{
	Scope s;
	std::string error;
	return parse(text, &s, &error) ? "ok" : error;
}

Scope parsed(const std::string &text)
{
	Scope s;
	std::string error;
	EXPECT_TRUE(parse(text, &s, &error)) << text << ": " << error;
	return s;
}

const char kShape[] = "A scope is an object with exactly one of \"all\", \"values\" or \"any\".";

} // namespace

TEST(Scope, WritesTheThreeKinds)
{
	EXPECT_EQ(to_json(Scope{}), R"({"all":true})");
	Scope v;
	v.kind = Scope::Kind::Values;
	EXPECT_EQ(to_json(v), R"({"values":[]})");
	v.values = {Value::of_integer(-7), Value::of_string("a\"b\\c\xc3\xa9"),
	            Value::of_boolean(false)};
	EXPECT_EQ(to_json(v), "{\"values\":[-7,\"a\\\"b\\\\c\xc3\xa9\",false]}");
	Scope a;
	a.kind = Scope::Kind::Any;
	EXPECT_EQ(to_json(a), R"({"any":[]})");
	a.any = {{{"dept.name", Value::of_string("sales")}, {"vip", Value::of_boolean(true)}}, {}};
	EXPECT_EQ(to_json(a), R"({"any":[{"dept.name":"sales","vip":true},{}]})");
}

TEST(Scope, RoundTrips)
{
	for (const char *text :
	     {R"({"all":true})", R"({"values":[]})",
	      R"({"values":[1,"x",true,false,-9223372036854775808]})", R"({"any":[]})",
	      R"({"any":[{}]})", R"({"any":[{"a.b":1,"c":"d"},{"e":false}]})",
	      "{\"values\":[\"\\n\\u0001\xe2\x82\xac\"]}"})
		EXPECT_EQ(to_json(parsed(text)), text);
}

TEST(Scope, ReadsWhatItHolds)
{
	Scope s = parsed(R"( { "values" : [ 7.0, "7", true, 1e2, "\ud83d\ude00" ] } )");
	ASSERT_EQ(s.kind, Scope::Kind::Values);
	ASSERT_EQ(s.values.size(), 5u);
	EXPECT_EQ(s.values[0], Value::of_integer(7));
	EXPECT_EQ(s.values[1], Value::of_string("7"));
	EXPECT_EQ(s.values[2], Value::of_boolean(true));
	EXPECT_EQ(s.values[3], Value::of_integer(100));
	EXPECT_EQ(s.values[4], Value::of_string("\xf0\x9f\x98\x80"));
	EXPECT_FALSE(s.values[0] == s.values[1]); // type-strict

	Scope a = parsed(R"({"any":[{"team.id":7,"dept":"x"}]})");
	ASSERT_EQ(a.kind, Scope::Kind::Any);
	ASSERT_EQ(a.any.size(), 1u);
	ASSERT_EQ(a.any[0].size(), 2u);
	EXPECT_EQ(a.any[0][0].path, "team.id"); // document order
	EXPECT_EQ(a.any[0][0].value, Value::of_integer(7));
	EXPECT_EQ(a.any[0][1].path, "dept");
	EXPECT_EQ(parsed(R"({"all":true})").kind, Scope::Kind::All);
}

TEST(Scope, EveryValidationError)
{
	EXPECT_EQ(error_of("[]"), kShape);
	EXPECT_EQ(error_of("7"), kShape);
	EXPECT_EQ(error_of("{}"), kShape);
	EXPECT_EQ(error_of(R"({"all":true,"values":[]})"), kShape);
	EXPECT_EQ(error_of(R"({"other":[]})"), kShape);
	EXPECT_EQ(error_of(R"({"all":false})"), "\"all\" must be true.");
	EXPECT_EQ(error_of(R"({"all":1})"), "\"all\" must be true.");
	EXPECT_EQ(error_of(R"({"values":{}})"), "\"values\" must be an array.");
	EXPECT_EQ(error_of(R"({"any":"x"})"), "\"any\" must be an array.");
	EXPECT_EQ(error_of(R"({"values":[[1]]})"),
	          "\"values\" must hold strings, integers or booleans.");
	EXPECT_EQ(error_of(R"({"values":[{}]})"),
	          "\"values\" must hold strings, integers or booleans.");
	for (const char *bad : {"null", "1.5", "0.5", "1e-1", "9223372036854775808", "1e19"})
		EXPECT_EQ(error_of(std::string(R"({"values":[)") + bad + "]}"),
		          "a value in \"values\" must be a string, an integer or a boolean")
		    << bad;
	EXPECT_EQ(error_of(R"({"any":[1]})"), "\"any\" must hold objects.");
	EXPECT_EQ(error_of(R"({"any":[[]]})"), "\"any\" must hold objects.");
	for (const char *bad : {"", ".a", "a.", "a..b"})
		EXPECT_EQ(error_of(std::string(R"({"any":[{")") + bad + R"(":1}]})"),
		          "a path in \"any\" must be dot-separated, non-empty keys")
		    << bad;
	for (const char *bad : {"null", "1.5", "[1]", "{\"a\":1}"})
		EXPECT_EQ(error_of(std::string(R"({"any":[{"a":)") + bad + "}]}"),
		          "a condition in \"any\" must be a string, an integer or a boolean")
		    << bad;
	// The first problem in document order wins.
	EXPECT_EQ(error_of(R"({"values":[null,[1]]})"),
	          "a value in \"values\" must be a string, an integer or a boolean");
	EXPECT_EQ(error_of(R"({"any":[{"a..b":null}]})"),
	          "a path in \"any\" must be dot-separated, non-empty keys");
	// Not JSON at all.
	for (const char *bad : {"", "{", R"({"values":[1,]})", R"({"values":[01]})", "{} x", "\"\\x\""})
		EXPECT_EQ(error_of(bad), "A scope is JSON text.") << bad;
}

TEST(Scope, DeepNestingCostsNoStack)
{
	std::string deep =
	    R"({"any":[{"a":)" + std::string(200000, '[') + std::string(200000, ']') + "}]}";
	EXPECT_EQ(error_of(deep), "a condition in \"any\" must be a string, an integer or a boolean");
	std::string unclosed = R"({"any":[{"a":)" + std::string(1000, '[');
	EXPECT_EQ(error_of(unclosed), "A scope is JSON text.");
}

TEST(Scope, Paths)
{
	EXPECT_TRUE(valid_path("a"));
	EXPECT_TRUE(valid_path("a.b.c"));
	EXPECT_FALSE(valid_path(""));
	EXPECT_FALSE(valid_path(".a"));
	EXPECT_FALSE(valid_path("a."));
	EXPECT_FALSE(valid_path("a..b"));
	auto names = path_names("dept.team.id");
	ASSERT_EQ(names.size(), 3u);
	EXPECT_EQ(names[0], "dept");
	EXPECT_EQ(names[1], "team");
	EXPECT_EQ(names[2], "id");
	EXPECT_EQ(path_names("x").size(), 1u);
}

TEST(Scope, UuidSpellings)
{
	unsigned char a[16], b[16], c[16];
	ASSERT_TRUE(uuid_bytes("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", a));
	ASSERT_TRUE(uuid_bytes("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", b));
	ASSERT_TRUE(uuid_bytes("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", c));
	EXPECT_EQ(std::string((char *)a, 16), std::string((char *)b, 16));
	EXPECT_EQ(std::string((char *)a, 16), std::string((char *)c, 16));
	EXPECT_EQ(a[0], 0xa0);
	EXPECT_EQ(a[15], 0x11);
	EXPECT_FALSE(uuid_bytes("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", a));   // 31 digits
	EXPECT_FALSE(uuid_bytes("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", a)); // 33
	EXPECT_FALSE(uuid_bytes("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", a));
	EXPECT_FALSE(uuid_bytes("", a));
}

TEST(Scope, IntegerNumbers)
{
	EXPECT_EQ(integer_of_number("0"), 0);
	EXPECT_EQ(integer_of_number("-0"), 0);
	EXPECT_EQ(integer_of_number("0.000"), 0);
	EXPECT_EQ(integer_of_number("0e5"), 0);
	EXPECT_EQ(integer_of_number("42"), 42);
	EXPECT_EQ(integer_of_number("7.0"), 7);
	EXPECT_EQ(integer_of_number("7.50e1"), 75);
	EXPECT_EQ(integer_of_number("1e2"), 100);
	EXPECT_EQ(integer_of_number("1E+2"), 100);
	EXPECT_EQ(integer_of_number("1500e-2"), 15);
	EXPECT_EQ(integer_of_number("9223372036854775807"), INT64_MAX);
	EXPECT_EQ(integer_of_number("-9223372036854775808"), INT64_MIN);
	EXPECT_EQ(integer_of_number("1" + std::string(400, '0') + "e-400"), 1);
	EXPECT_EQ(integer_of_number("9223372036854775808"), std::nullopt);
	EXPECT_EQ(integer_of_number("-9223372036854775809"), std::nullopt);
	EXPECT_EQ(integer_of_number("1" + std::string(400, '0')), std::nullopt);
	EXPECT_EQ(integer_of_number("1.5"), std::nullopt);
	EXPECT_EQ(integer_of_number("0.05"), std::nullopt);
	EXPECT_EQ(integer_of_number("1e-1"), std::nullopt);
	EXPECT_EQ(integer_of_number("0." + std::string(400, '0') + "1"), std::nullopt);
	EXPECT_EQ(integer_of_number(""), std::nullopt);
	EXPECT_EQ(integer_of_number("-"), std::nullopt);
	EXPECT_EQ(integer_of_number("1e"), std::nullopt);
}
