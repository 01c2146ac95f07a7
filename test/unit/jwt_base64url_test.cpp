// Strict unpadded base64url: exactly one accepted spelling per byte string.
#include "jwt_test_util.h"

#include <random>

using namespace jwt_test;

namespace {

bool decodes(std::string_view in)
{
	std::string out;
	return base64url::decode(in, &out);
}

TEST(JwtBase64url, RoundTripsEveryLength)
{
	std::mt19937 rng(42);
	for (std::size_t len = 0; len <= 70; len++)
	{
		std::string bytes(len, '\0');
		for (char &c : bytes)
			c = static_cast<char>(rng());
		std::string enc = base64url::encode(bytes);
		EXPECT_EQ(enc.size(), (len * 4 + 2) / 3) << "no padding";
		EXPECT_EQ(enc.find_first_of("=+/"), std::string::npos);
		std::string dec;
		ASSERT_TRUE(base64url::decode(enc, &dec)) << enc;
		EXPECT_EQ(dec, bytes);
	}
}

TEST(JwtBase64url, KnownValues)
{
	EXPECT_EQ(base64url::encode("\xfb\xff"), "-_8");
	EXPECT_EQ(unb64("-_8"), "\xfb\xff");
	EXPECT_EQ(base64url::encode(""), "");
	EXPECT_TRUE(decodes(""));
}

TEST(JwtBase64url, RejectsPadding)
{
	EXPECT_TRUE(decodes("QQ"));
	EXPECT_FALSE(decodes("QQ=="));
	EXPECT_FALSE(decodes("QQ="));
	EXPECT_FALSE(decodes("QUI="));
	EXPECT_FALSE(decodes("="));
}

TEST(JwtBase64url, RejectsStandardAlphabet)
{
	EXPECT_TRUE(decodes("-_8"));
	EXPECT_FALSE(decodes("+/8"));
	EXPECT_FALSE(decodes("+_8"));
	EXPECT_FALSE(decodes("-/8"));
}

TEST(JwtBase64url, RejectsWhitespaceAndControlBytes)
{
	for (const char *s : {"QU JD", "QUJD ", " QUJD", "QU\nJD", "QUJD\n", "QU\tJD", "QU\rJD"})
		EXPECT_FALSE(decodes(s)) << s;
	EXPECT_FALSE(decodes(std::string_view("QU\0JD", 5)));
	EXPECT_FALSE(decodes(std::string_view("QUJD\0", 5)));
	EXPECT_FALSE(decodes("QUJD."));
	EXPECT_FALSE(decodes("QU\xc3\xa9JD"));
}

TEST(JwtBase64url, RejectsLengthOneModFour)
{
	EXPECT_FALSE(decodes("Q"));
	EXPECT_FALSE(decodes("QUJDR"));
	EXPECT_TRUE(decodes("QUJDRA"));
}

TEST(JwtBase64url, RejectsNonCanonicalTrailingBits)
{
	// "QQ" is 'A' (0x41): 12 bits carry 8, the last 4 must be zero. "QR".."QZ" set them.
	EXPECT_TRUE(decodes("QQ"));
	for (const char *s : {"QR", "QS", "QT", "QZ", "Qf"})
		EXPECT_FALSE(decodes(s)) << s;
	// Two bytes in three characters: the last 2 bits must be zero.
	EXPECT_TRUE(decodes("QUI"));
	EXPECT_FALSE(decodes("QUJ"));
	EXPECT_FALSE(decodes("QUK"));
}

} // namespace
