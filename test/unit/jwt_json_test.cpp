// Strict JSON: duplicate names at any depth, UTF-8, NUL, depth, trailing bytes,
// numbers kept as text; and the Json DOM the RLS part reads claims through.
#include "jwt_test_util.h"

using namespace jwt_test;

namespace
{

JsonError parse(std::string_view text, int depth = 16)
{
	Json j;
	return parse_json_strict(text, depth, &j);
}

Json parsed(std::string_view text)
{
	Json j;
	EXPECT_EQ(parse_json_strict(text, 16, &j), JsonError::None) << text;
	return j;
}

TEST(JwtJson, AcceptsOrdinaryJson)
{
	for (const char *s : {"{}", "[]", "0", "-1", "1.5e3", "\"x\"", "true", "false", "null",
	                      " {\"a\" : [1, {\"b\": null}], \"c\": \"\\u00e9\\n\"} ",
	                      "{\"iss\":\"joe\",\r\n \"exp\":1300819380}"})
		EXPECT_EQ(parse(s), JsonError::None) << s;
}

TEST(JwtJson, RejectsNonJson)
{
	for (const char *s :
	     {"", " ", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "[1,]", "/*c*/{}", "{\"a\":NaN}",
	      "{\"a\":Infinity}", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":\"\x01\"}", "nul",
	      "{\"a\":\"\\x41\"}", "\xef\xbb\xbf{}"})
		EXPECT_EQ(parse(s), JsonError::Syntax) << s;
}

TEST(JwtJson, RejectsDuplicateNamesAtAnyDepth)
{
	EXPECT_EQ(parse(R"({"alg":"HS256","alg":"none"})"), JsonError::DuplicateName);
	EXPECT_EQ(parse(R"({"a":{"b":1,"c":2,"b":3}})"), JsonError::DuplicateName);
	EXPECT_EQ(parse(R"({"a":[{"x":1},{"y":1,"y":1}]})"), JsonError::DuplicateName);
	EXPECT_EQ(parse(R"([[[{"k":1,"k":1}]]])"), JsonError::DuplicateName);
	// Escapes are compared after decoding: "\u0061" is "a".
	EXPECT_EQ(parse(R"({"a":1,"\u0061":2})"), JsonError::DuplicateName);
	// Large objects use the sorted check.
	std::string big = "{";
	for (int i = 0; i < 200; i++)
		big += "\"k" + std::to_string(i) + "\":1,";
	EXPECT_EQ(parse(big + "\"k0\":2}"), JsonError::DuplicateName);
	EXPECT_EQ(parse(big + "\"k200\":2}"), JsonError::None);
	// The same name in sibling objects is fine.
	EXPECT_EQ(parse(R"({"a":{"x":1},"b":{"x":1}})"), JsonError::None);
	EXPECT_EQ(parse(R"({"a":1,"A":2})"), JsonError::None);
}

TEST(JwtJson, RejectsInvalidUtf8)
{
	for (const char *s : {"\"\xc3\x28\"",         // bad continuation
	                      "\"\xc0\xaf\"",         // overlong '/'
	                      "\"\xe0\x80\xaf\"",     // overlong, 3 bytes
	                      "\"\xed\xa0\x80\"",     // UTF-8-encoded surrogate
	                      "\"\xf4\x90\x80\x80\"", // above U+10FFFF
	                      "\"\xf5\x80\x80\x80\"", // invalid lead byte
	                      "\"\xc3\"",             // truncated
	                      "\"\xff\"", "{\"\xc3\x28\":1}"})
		EXPECT_EQ(parse(s), JsonError::InvalidUtf8) << s;
	EXPECT_EQ(parse("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), JsonError::None);
}

TEST(JwtJson, RejectsLoneSurrogateEscapes)
{
	EXPECT_EQ(parse(R"("\uDC00")"), JsonError::InvalidUtf8); // low without high
	EXPECT_EQ(parse(R"({"\udfff":1})"), JsonError::InvalidUtf8);
	EXPECT_NE(parse(R"("\uD800")"), JsonError::None); // high without low
	EXPECT_NE(parse(R"("\uD800\u0041")"), JsonError::None);
	EXPECT_EQ(parse(R"("\uD83D\uDE00")"), JsonError::None); // a proper pair
	EXPECT_EQ(parsed(R"("\uD83D\uDE00")").text(), "\xf0\x9f\x98\x80");
}

TEST(JwtJson, RejectsNul)
{
	EXPECT_EQ(parse(R"({"a":"x\u0000y"})"), JsonError::NulCharacter);
	EXPECT_EQ(parse(R"({"a\u0000":1})"), JsonError::NulCharacter);
	// A raw NUL byte is never JSON, wherever it is; it must not end the text early.
	EXPECT_EQ(parse(std::string_view("{}\0garbage", 10)), JsonError::Syntax);
	EXPECT_EQ(parse(std::string_view("{\"a\":\"\0\"}", 9)), JsonError::Syntax);
}

TEST(JwtJson, BoundsDepth)
{
	auto nested = [](int depth, bool arrays)
	{
		std::string s;
		for (int i = 0; i < depth; i++)
			s += arrays ? "[" : "{\"a\":";
		s += "1";
		for (int i = 0; i < depth; i++)
			s += arrays ? "]" : "}";
		return s;
	};
	EXPECT_EQ(parse(nested(16, false)), JsonError::None);
	EXPECT_EQ(parse(nested(17, false)), JsonError::TooDeep);
	EXPECT_EQ(parse(nested(16, true)), JsonError::None);
	EXPECT_EQ(parse(nested(17, true)), JsonError::TooDeep);
	EXPECT_EQ(parse(nested(3, true), 3), JsonError::None);
	EXPECT_EQ(parse(nested(4, true), 3), JsonError::TooDeep);
	EXPECT_EQ(parse("1", 1), JsonError::None);
	// Far beyond any limit, without exhausting the stack.
	EXPECT_EQ(parse(std::string(100000, '[')), JsonError::TooDeep);
}

TEST(JwtJson, RejectsTrailingBytes)
{
	EXPECT_EQ(parse("{} x"), JsonError::Trailing);
	EXPECT_EQ(parse("{}{}"), JsonError::Trailing);
	EXPECT_EQ(parse("{},"), JsonError::Trailing);
	EXPECT_EQ(parse("1 2"), JsonError::Trailing);
	EXPECT_EQ(parse("{} \r\n\t"), JsonError::None);
}

TEST(JwtJson, NumbersKeepTheirText)
{
	EXPECT_EQ(parse(R"({"x":1e400})"), JsonError::NumberRange) << "beyond double range";
	EXPECT_EQ(parse(R"({"x":-1e400})"), JsonError::NumberRange);
	EXPECT_EQ(parse("{\"x\":" + std::string(400, '9') + "}"), JsonError::NumberRange);
	EXPECT_EQ(parse(R"({"x":1e-400})"), JsonError::None) << "underflow is not an error";
	EXPECT_EQ(parse(R"({"x":1e308})"), JsonError::None);

	Json j = parsed(
	    R"({"a":1300819380,"b":1.0,"c":1e3,"d":-0,"e":9223372036854775807,)"
	    R"("f":9223372036854775808,"g":-9223372036854775808,"h":-9223372036854775809,"i":"7"})");
	EXPECT_EQ(j.find("a")->text(), "1300819380");
	EXPECT_EQ(j.find("a")->as_int64(), 1300819380);
	EXPECT_FALSE(j.find("b")->is_integer_literal());
	EXPECT_EQ(j.find("b")->as_int64(), std::nullopt);
	EXPECT_EQ(j.find("c")->as_int64(), std::nullopt);
	EXPECT_EQ(j.find("d")->as_int64(), 0);
	EXPECT_EQ(j.find("e")->as_int64(), INT64_MAX);
	EXPECT_EQ(j.find("f")->as_int64(), std::nullopt);
	EXPECT_EQ(j.find("g")->as_int64(), INT64_MIN);
	EXPECT_EQ(j.find("h")->as_int64(), std::nullopt);
	EXPECT_TRUE(j.find("i")->is_string());
	EXPECT_EQ(j.find("i")->as_int64(), std::nullopt) << "a string is not a number";
}

TEST(JwtJson, DomKeepsOrderAndTypes)
{
	Json j = parsed(R"({"z":[true,null,"s",{"k":false}],"a":{}})");
	ASSERT_TRUE(j.is_object());
	ASSERT_EQ(j.members().size(), 2u);
	EXPECT_EQ(j.members()[0].name, "z");
	EXPECT_EQ(j.members()[1].name, "a");
	const Json *z = j.find("z");
	ASSERT_TRUE(z && z->is_array());
	ASSERT_EQ(z->items().size(), 4u);
	EXPECT_TRUE(z->items()[0].is_bool() && z->items()[0].as_bool());
	EXPECT_TRUE(z->items()[1].is_null());
	EXPECT_EQ(z->items()[2].text(), "s");
	EXPECT_FALSE(z->items()[3].find("k")->as_bool());
	EXPECT_TRUE(j.find("a")->is_object());
	EXPECT_EQ(j.find("missing"), nullptr);
	EXPECT_EQ(z->find("z"), nullptr) << "find on a non-object";
}

TEST(JwtJson, CompactWriter)
{
	std::string out;
	write_json_compact(
	    parsed("{ \"a\" : [ 1 , 2.50 , -3e-2 ] ,\n \"b\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\" }"), &out);
	EXPECT_EQ(out, "{\"a\":[1,2.50,-3e-2],\"b\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\"}");
	// What the writer produces parses back to the same text.
	std::string again;
	write_json_compact(parsed(out), &again);
	EXPECT_EQ(again, out);
}

} // namespace
