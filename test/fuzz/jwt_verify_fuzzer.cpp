// jwt_verify_fuzzer: the input is a token, verified under every key family.
// Reaches the size cap, segment splitting, base64url, the header parser and rules,
// and every signature primitive with attacker-chosen signature bytes.
#include "fuzz_common.h"

using namespace jwt_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const std::vector<Key> hmac = {Key::hmac(kSecret64), Key::hmac(std::string(32, 's'))};
	static const std::vector<Key> ed = {Key::public_key(kEdPublic)};
	static const std::vector<Key> ec = {Key::public_key(kEcPublic)};
	static const std::vector<Key> rsa = {Key::public_key(kRsaPublic)};

	std::string_view token(reinterpret_cast<const char *>(data), size);
	attempt([&] { verify(token, hmac, options({Alg::HS256, Alg::HS384, Alg::HS512})); });
	attempt([&] { verify(token, ed, options({Alg::EdDSA})); });
	attempt([&] { verify(token, ec, options({Alg::ES256})); });
	attempt([&] { verify(token, rsa, options({Alg::RS256, Alg::PS256})); });
	return 0;
}
