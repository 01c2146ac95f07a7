// jwt_test_util.h: helpers shared by the JWT unit tests.
#pragma once

#include "jwt/base64url.h"
#include "jwt/jwt.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace jwt_test
{

using namespace vecrbac::jwt;

// The fixed clock of most tests, and a 32-byte HMAC secret.
constexpr std::int64_t kNow = 1700000000;
inline const std::string kSecret = "0123456789abcdef0123456789abcdef";
inline const std::string kHeaderHS256 = R"({"alg":"HS256","typ":"JWT"})";
inline const std::string kClaims = R"({"sub":"alice","exp":1700003600})";

inline std::string b64(std::string_view s)
{
	return base64url::encode(s);
}

inline std::string unb64(std::string_view s)
{
	std::string out;
	EXPECT_TRUE(base64url::decode(s, &out)) << "test data is not base64url";
	return out;
}

inline VerifyOptions opts(AlgSet algs = {Alg::HS256})
{
	VerifyOptions o;
	o.algorithms = algs;
	o.now = kNow;
	return o;
}

inline std::vector<Key> hmac_keys(const std::string &secret = kSecret)
{
	return {Key::hmac(secret)};
}

// A token with exactly these header and payload bytes, validly signed.
inline std::string token_raw(std::string_view header_json, std::string_view payload, const Key &key,
                             Alg alg = Alg::HS256)
{
	return sign_segments(b64(header_json), b64(payload), key, alg);
}

inline std::string hs256(std::string_view payload, std::string_view header = kHeaderHS256,
                         const std::string &secret = kSecret)
{
	return token_raw(header, payload, Key::hmac(secret));
}

// Splits a compact token into its three segments.
inline std::vector<std::string> segments(const std::string &token)
{
	std::vector<std::string> out(1);
	for (char c : token)
	{
		if (c == '.')
			out.emplace_back();
		else
			out.back() += c;
	}
	return out;
}

inline std::string join(const std::string &h, const std::string &p, const std::string &s)
{
	return h + "." + p + "." + s;
}

// The SQLSTATE and message of a call that must throw SqlError ("" if it did not throw).
struct Failure
{
	std::string sqlstate, message;
};

inline Failure failure_of(const std::function<void()> &f)
{
	try
	{
		f();
	}
	catch (const vecrbac::SqlError &e)
	{
		return {e.sqlstate(), e.what()};
	}
	return {"", "(no error)"};
}

// Success if f throws SqlError with this SQLSTATE and a message containing `part`.
inline ::testing::AssertionResult fails_with(const std::function<void()> &f,
                                             const std::string &state, const std::string &part)
{
	Failure fl = failure_of(f);
	if (fl.sqlstate != state)
		return ::testing::AssertionFailure() << "expected SQLSTATE " << state << ", got \""
		                                     << fl.sqlstate << "\": " << fl.message;
	if (fl.message.find(part) == std::string::npos)
		return ::testing::AssertionFailure()
		       << "message \"" << fl.message << "\" lacks \"" << part << "\"";
	return ::testing::AssertionSuccess();
}

#define EXPECT_SQLERROR(expr, state, part)                                                         \
	EXPECT_TRUE(jwt_test::fails_with([&] { (void)(expr); }, state, part))
#define EXPECT_REJECTED(expr, part) EXPECT_SQLERROR(expr, "28000", part)
#define EXPECT_BAD_CONFIG(expr, part) EXPECT_SQLERROR(expr, "22023", part)

// Verifies with HS256, the fixed clock and default options.
inline VerifiedToken verify_hs(const std::string &token, VerifyOptions o = opts())
{
	return verify(token, hmac_keys(), o);
}

} // namespace jwt_test
