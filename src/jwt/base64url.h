/*
 * base64url.h: strict unpadded base64url (RFC 7515 section 2 and appendix C).
 *
 * Decoding accepts exactly the canonical encoding of some byte string: only the
 * characters A-Z a-z 0-9 - _, no padding, no whitespace, a length that is not 1
 * modulo 4, and zero bits in the unused low bits of the last character. So every
 * byte string has exactly one accepted encoding, and a signature is never valid
 * for two different spellings of a token.
 */
#pragma once

#include <string>
#include <string_view>

namespace vecrbac::jwt::base64url
{

/* Decodes in into *out (replacing its contents); false if in is not canonical. */
bool decode(std::string_view in, std::string *out);

/* Encodes bytes without padding. */
std::string encode(std::string_view bytes);
void encode_append(std::string_view bytes, std::string *out);

} // namespace vecrbac::jwt::base64url
