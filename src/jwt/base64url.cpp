/*
 * base64url.cpp: strict unpadded base64url on top of libsodium.
 *
 * sodium_base642bin (URL-safe, no padding) already refuses non-canonical trailing
 * bits and a dangling sixth bit group (length = 1 mod 4). It stops at the first
 * character outside the alphabet and reports where through b64_end, so we also
 * check that it consumed the whole input: '=', '+', '/', whitespace and NUL bytes
 * are refused that way.
 */
#include "jwt/base64url.h"

#include <sodium.h>

namespace vecrbac::jwt::base64url {

bool decode(std::string_view in, std::string *out)
{
	out->clear();
	if (in.size() % 4 == 1)
		return false;
	if (in.empty())
		return true;
	out->resize(in.size() / 4 * 3 + 2);
	std::size_t bin_len = 0;
	const char *end = nullptr;
	int rc = sodium_base642bin(reinterpret_cast<unsigned char *>(out->data()), out->size(),
							   in.data(), in.size(), nullptr, &bin_len, &end,
							   sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (rc != 0 || end != in.data() + in.size())
	{
		out->clear();
		return false;
	}
	out->resize(bin_len);
	return true;
}

void encode_append(std::string_view bytes, std::string *out)
{
	std::size_t at = out->size();
	std::size_t len = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
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
