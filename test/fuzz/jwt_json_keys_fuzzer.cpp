// jwt_json_keys_fuzzer: the strict JSON parser and key parsing.
//
// First byte selects: JSON (with a differential check against rapidjson's own DOM
// parser and a write/re-parse idempotence check), public key, private key, HMAC
// secret, building a key and signing with it, strict base64url (differential
// against libsodium), or a JSON Web Key Set (every key it accepts has a unique kid
// and an asymmetric algorithm its key fits).
#include "fuzz_common.h"
#include "jwt/jwks.h"

#include <rapidjson/document.h>
#include <sodium.h>

using namespace jwt_fuzz;

namespace
{

void check_json(std::string_view text)
{
	Json j;
	JsonError err = parse_json_strict(text, kDefaultMaxDepth, &j);
	if (err != JsonError::None)
		return;
	// Whatever the strict parser accepts, plain rapidjson accepts too.
	std::string copy(text);
	rapidjson::Document d;
	d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag>(
	    copy.c_str(), copy.size());
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

// The strict base64url decoder against libsodium's (the reference on ASCII input;
// libsodium 1.0.18 wrongly accepts bytes >= 0x80, which ours must refuse).
void check_base64(std::string_view text)
{
	std::string mine;
	bool ok = base64url::decode(text, &mine);
	bool ascii = true;
	for (char c : text)
		ascii = ascii && static_cast<unsigned char>(c) < 0x80;
	if (!ascii)
	{
		if (ok)
			std::abort();
		return;
	}
	std::string ref(text.size(), '\0');
	std::size_t len = 0;
	const char *end = nullptr;
	bool ref_ok = sodium_base642bin(reinterpret_cast<unsigned char *>(ref.data()), ref.size(),
	                                text.data(), text.size(), nullptr, &len, &end,
	                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	              end == text.data() + text.size();
	if (ok != ref_ok || (ok && mine != ref.substr(0, len)))
		std::abort();
	if (ok && base64url::encode(mine) != text)
		std::abort(); // canonical: decoding then encoding gives the input back
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	std::string_view rest(reinterpret_cast<const char *>(data) + 1, size - 1);
	switch (data[0] % 7)
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
		attempt(
		    [&]
		    {
			    Key k = Key::private_key(rest);
			    for (Alg a : {Alg::EdDSA, Alg::ES256, Alg::RS256, Alg::PS256})
				    if (k.fits(a))
					    sign(R"({"exp":1700003600})", k, a);
		    });
		break;
	case 5:
		check_base64(rest);
		break;
	case 6:
		attempt(
		    [&]
		    {
			    std::vector<JwksKey> keys = parse_jwks(rest);
			    for (const JwksKey &k : keys)
				    if (find_kid(keys, k.kid) != &k || !k.key.fits(k.alg) ||
				        alg_family(k.alg) == AlgFamily::Hmac || k.key.is_private())
					    __builtin_trap();
		    });
		break;
	}
	return 0;
}
