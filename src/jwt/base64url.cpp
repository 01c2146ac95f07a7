/*
 * base64url.cpp: strict unpadded base64url.
 *
 * Decoding is table driven: libsodium's sodium_base642bin is constant time, which
 * costs about 8 ns per character and made base64 a third of a verification. Token
 * bytes are not secret the way keys are (the MAC comparison stays constant time),
 * so the fast decoder is used; the unit tests and the json/keys fuzz target check
 * that it accepts and produces exactly what libsodium does. Encoding (signing only)
 * uses libsodium.
 */
#include "jwt/base64url.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace vecrbac::jwt::base64url
{

namespace
{

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table()
{
	std::array<std::uint8_t, 256> t{};
	for (auto &v : t)
		v = kInvalid;
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (int i = 0; i < 64; i++)
		t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
	return t;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

} // namespace

bool decode(std::string_view in, std::string *out)
{
	out->clear();
	std::size_t n = in.size();
	if (n % 4 == 1)
		return false;
	out->resize(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
	auto *o = reinterpret_cast<unsigned char *>(out->data());
	const auto *s = reinterpret_cast<const unsigned char *>(in.data());
	std::size_t full = n / 4 * 4;
	std::uint8_t bad = 0;
	for (std::size_t i = 0; i < full; i += 4)
	{
		std::uint8_t a = kTable[s[i]], b = kTable[s[i + 1]], c = kTable[s[i + 2]],
		             d = kTable[s[i + 3]];
		bad |= (a | b | c | d) & 0x80;
		*o++ = static_cast<unsigned char>(a << 2 | b >> 4);
		*o++ = static_cast<unsigned char>(b << 4 | c >> 2);
		*o++ = static_cast<unsigned char>(c << 6 | d);
	}
	std::size_t rest = n - full;
	if (rest == 2)
	{
		std::uint8_t a = kTable[s[full]], b = kTable[s[full + 1]];
		bad |= (a | b) & 0x80;
		/* 12 bits carry one byte: the low 4 bits of b must be zero. */
		bad |= (b & 0x0f) ? 0x80 : 0;
		*o++ = static_cast<unsigned char>(a << 2 | b >> 4);
	}
	else if (rest == 3)
	{
		std::uint8_t a = kTable[s[full]], b = kTable[s[full + 1]], c = kTable[s[full + 2]];
		bad |= (a | b | c) & 0x80;
		/* 18 bits carry two bytes: the low 2 bits of c must be zero. */
		bad |= (c & 0x03) ? 0x80 : 0;
		*o++ = static_cast<unsigned char>(a << 2 | b >> 4);
		*o++ = static_cast<unsigned char>(b << 4 | c >> 2);
	}
	if (bad)
	{
		out->clear();
		return false;
	}
	return true;
}

void encode_append(std::string_view bytes, std::string *out)
{
	std::size_t at = out->size();
	std::size_t len =
	    sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out->resize(at + len);
	sodium_bin2base64(out->data() + at, len, reinterpret_cast<const unsigned char *>(bytes.data()),
	                  bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out->resize(out->size() - 1); /* drop the NUL terminator */
}

std::string encode(std::string_view bytes)
{
	std::string out;
	encode_append(bytes, &out);
	return out;
}

} // namespace vecrbac::jwt::base64url
