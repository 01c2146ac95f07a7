// jwt_signed_fuzzer: header and claims behind a valid signature.
//
// The input is "<header bytes>\n<claims bytes>" (no newline: a default header). The
// target signs exactly those bytes with HS256, so verification always passes the
// signature and reaches the claims parser and the time rules. Then, as a property:
// if sign() accepts the claims, verify() of the result with require_exp off and a
// huge leeway must give back the same claims (compact form), or refuse only for time
// reasons.
#include "fuzz_common.h"

using namespace jwt_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const Key key = Key::hmac(std::string(32, 's'));
	static const std::vector<Key> keys = {key};

	std::string_view in(reinterpret_cast<const char *>(data), size);
	std::size_t nl = in.find('\n');
	std::string_view header =
	    nl == std::string_view::npos ? std::string_view(R"({"alg":"HS256"})") : in.substr(0, nl);
	std::string_view claims = nl == std::string_view::npos ? in : in.substr(nl + 1);

	std::string token =
	    sign_segments(base64url::encode(header), base64url::encode(claims), key, Alg::HS256);
	VerifyOptions o = options({Alg::HS256});
	o.max_token_bytes = 1024 * 1024;
	attempt(
	    [&]
	    {
		    VerifiedToken t = verify(token, keys, o);
		    if (t.claims_json != claims || !t.claims.is_object())
			    std::abort();
	    });

	// Round trip through sign().
	std::string signed_token;
	if (!attempt([&] { signed_token = sign(claims, key, Alg::HS256); }))
		return 0;
	VerifyOptions lax = o;
	lax.require_exp = false;
	lax.leeway_seconds = kMaxLeewaySeconds;
	try
	{
		VerifiedToken t = verify(signed_token, keys, lax);
		Json original;
		if (parse_json_strict(claims, kDefaultMaxDepth, &original) != JsonError::None)
			std::abort(); // sign() accepted what the parser refuses
		std::string a, b;
		write_json_compact(original, &a);
		write_json_compact(t.claims, &b);
		if (a != b || t.claims_json != a)
			std::abort();
	}
	catch (const vecrbac::SqlError &e)
	{
		std::string_view m = e.what();
		if (m != "token expired" && m.find("token not yet valid") != 0)
			std::abort(); // anything else means sign() produced a token verify() refuses
	}
	return 0;
}
