// jwt_json_keys_fuzzer: the strict JSON parser and key parsing.
//
// First byte selects: JSON (with a differential check against rapidjson's own DOM
// parser and a write/re-parse idempotence check), public key, private key, HMAC
// secret, or building a key and signing with it.
#include "fuzz_common.h"

#include <rapidjson/document.h>

using namespace jwt_fuzz;

namespace {

void check_json(std::string_view text)
{
	Json j;
	JsonError err = parse_json_strict(text, kDefaultMaxDepth, &j);
	if (err != JsonError::None)
		return;
	// Whatever the strict parser accepts, plain rapidjson accepts too.
	std::string copy(text);
	rapidjson::Document d;
	d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag>(copy.c_str(),
																						   copy.size());
	if (d.HasParseError())
		std::abort();
	// Compact writing is stable: parse(write(x)) writes the same text.
	std::string once, twice;
	write_json_compact(j, &once);
	Json again;
	if (parse_json_strict(once, kDefaultMaxDepth, &again) != JsonError::None)
		std::abort();
	write_json_compact(again, &twice);
	if (once != twice)
		std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	std::string_view rest(reinterpret_cast<const char *>(data) + 1, size - 1);
	switch (data[0] % 5)
	{
	case 0:
		check_json(rest);
		break;
	case 1:
		attempt([&] { Key::public_key(rest); });
		break;
	case 2:
		attempt([&] { Key::private_key(rest); });
		break;
	case 3:
		attempt([&] { Key::hmac(rest); });
		break;
	case 4:
		// A private JWK from the input, used to sign; for Ed25519 and EC the result
		// must verify with the public key the JWK's "x" (and "y") describe.
		attempt([&] {
			Key k = Key::private_key(rest);
			for (Alg a : {Alg::EdDSA, Alg::ES256, Alg::RS256, Alg::PS256})
				if (k.fits(a))
					sign(R"({"exp":1700003600})", k, a);
		});
		break;
	}
	return 0;
}
