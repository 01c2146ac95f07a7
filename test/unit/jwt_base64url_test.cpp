// Strict unpadded base64url: exactly one accepted spelling per byte string.
#include "jwt_test_util.h"

#include <random>

#include <sodium.h>

using namespace jwt_test;

namespace
{

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

namespace
{

// The table-driven decoder agrees with libsodium's strict decoder (the reference)
// on ASCII input: random strings over an alphabet that mixes valid characters and
// near misses ('=', '+', '/', space, '.', newline, NUL), every length 0..40.
TEST(JwtBase64url, AgreesWithLibsodiumOnAscii)
{
	ASSERT_GE(sodium_init(), 0);
	std::mt19937 rng(7);
	const std::string chars =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .\n";
	int accepted = 0;
	for (int iter = 0; iter < 200000; iter++)
	{
		std::size_t len = rng() % 41;
		std::string in(len, 'A');
		bool mostly_valid = rng() % 2;
		for (char &c : in)
		{
			unsigned r = rng();
			if (mostly_valid && r % 50 != 0)
				c = chars[r % 64];
			else if (r % 13 == 0)
				c = static_cast<char>((r >> 8) & 0x7f);
			else
				c = chars[r % chars.size()];
		}
		std::string mine;
		bool ok = base64url::decode(in, &mine);
		std::string ref(len, '\0');
		std::size_t ref_len = 0;
		const char *end = nullptr;
		bool ref_ok = sodium_base642bin(reinterpret_cast<unsigned char *>(ref.data()), ref.size(),
		                                in.data(), in.size(), nullptr, &ref_len, &end,
		                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
		              end == in.data() + in.size();
		ASSERT_EQ(ok, ref_ok) << "input \"" << in << "\"";
		if (ok)
		{
			ref.resize(ref_len);
			ASSERT_EQ(mine, ref) << in;
			accepted++;
		}
	}
	EXPECT_GT(accepted, 10000) << "the comparison must cover accepted inputs too";
}

// Bytes 0x80-0xFF are never base64url. libsodium 1.0.18 (Debian 12) accepts each of
// them as some character (0x82 decodes like '_', its range checks misread signed
// chars): with it, a signature segment could be re-spelled and still verify. This
// is why vecrbac does not decode with libsodium.
TEST(JwtBase64url, RejectsEveryNonAsciiByte)
{
	EXPECT_TRUE(decodes("B_06"));
	for (int c = 0x80; c <= 0xff; c++)
	{
		std::string in = std::string("B") + static_cast<char>(c) + "06";
		EXPECT_FALSE(decodes(in)) << c;
		EXPECT_FALSE(decodes(std::string(1, static_cast<char>(c)) + "A")) << c;
	}
	// What libsodium does with the same input, recorded so a library upgrade that
	// fixes it shows up here.
	ASSERT_GE(sodium_init(), 0);
	unsigned char out[8];
	std::size_t len = 0;
	const char *end = nullptr;
	const char in[] = "B\x82"
	                  "06";
	bool sodium_accepts = sodium_base642bin(out, sizeof(out), in, 4, nullptr, &len, &end,
	                                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	                      end == in + 4;
	if (sodium_accepts)
		std::printf("note: this libsodium accepts non-ASCII base64 (decoded 0x82 as '_')\n");
}

} // namespace
