/*
 * keys.cpp: building Keys from HMAC secrets, PEM and JWK.
 *
 * libsodium holds Ed25519 keys; OpenSSL parses PEM, holds EC and RSA keys and the
 * HMAC pad states (its SHA-2 uses the CPU's SHA extensions, libsodium's does not,
 * which made HMAC four times slower with libsodium). Every function
 * that calls OpenSSL keeps an ErrorQueueGuard so no error is left queued.
 */
#include "jwt/keys.h"

#include "jwt/base64url.h"
#include "jwt/errors.h"
#include "jwt/json_strict.h"
#include "jwt/key_impl.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <cstring>
#include <stdexcept>

namespace vecrbac::jwt
{

namespace
{

constexpr std::size_t kMinHmacKeyBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr std::size_t kMaxKeyTextBytes = 64 * 1024;

void ensure_sodium()
{
	if (sodium_init() < 0)
		throw std::runtime_error("libsodium could not be initialised");
}

std::string_view trim_left(std::string_view s)
{
	std::size_t i = 0;
	while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return s.substr(i);
}

bool starts_with(std::string_view s, std::string_view prefix)
{
	return s.substr(0, prefix.size()) == prefix;
}

bool is_pem(std::string_view s)
{
	return starts_with(trim_left(s), "-----BEGIN ");
}
bool is_json_object_text(std::string_view s)
{
	return starts_with(trim_left(s), "{");
}

/* Never prompt for a passphrase: an encrypted PEM simply fails to load. */
int no_passphrase(char *, int, int, void *)
{
	return 0;
}

/* ---- JWK members ---------------------------------------------------------------------- */

const Json *jwk_member(const Json &jwk, const char *name, bool required)
{
	const Json *m = jwk.find(name);
	if (m == nullptr && required)
		bad_config(std::string("JWK has no \"") + name + "\" member");
	return m;
}

const std::string &jwk_string(const Json &jwk, const char *name)
{
	const Json *m = jwk_member(jwk, name, true);
	if (!m->is_string())
		bad_config(std::string("JWK member \"") + name + "\" must be a string");
	return m->text();
}

/* A base64url member decoded; if exact_len is non-zero its length must be that. */
std::string jwk_bytes(const Json &jwk, const char *name, std::size_t exact_len = 0)
{
	std::string out;
	if (!base64url::decode(jwk_string(jwk, name), &out) || out.empty())
		bad_config(std::string("JWK member \"") + name + "\" is not strict base64url");
	if (exact_len != 0 && out.size() != exact_len)
	{
		sodium_memzero(out.data(), out.size());
		bad_config(std::string("JWK member \"") + name + "\" must be " + std::to_string(exact_len) +
		           " bytes");
	}
	return out;
}

/* Wipes a std::string holding private material when it goes out of scope. */
struct Wipe
{
	std::string &s;
	~Wipe() { sodium_memzero(s.data(), s.size()); }
};

/* "use", "key_ops" and "alg" restrict what a JWK may be used for (RFC 7517 4.2-4.4). */
void check_jwk_usage(const Json &jwk, bool want_private, KeyImpl *impl)
{
	if (const Json *use = jwk.find("use"))
		if (!use->is_string() || use->text() != "sig")
			bad_config("JWK \"use\" must be \"sig\"");
	if (const Json *ops = jwk.find("key_ops"))
	{
		if (!ops->is_array())
			bad_config("JWK \"key_ops\" must be an array of strings");
		const char *needed = want_private ? "sign" : "verify";
		bool found = false;
		for (const Json &op : ops->items())
		{
			if (!op.is_string())
				bad_config("JWK \"key_ops\" must be an array of strings");
			found = found || op.text() == needed;
		}
		if (!found)
			bad_config(std::string("JWK \"key_ops\" does not allow \"") + needed + "\"");
	}
	if (const Json *alg = jwk.find("alg"))
	{
		std::optional<Alg> a = alg->is_string() ? parse_alg(alg->text()) : std::nullopt;
		if (!a)
			bad_config("JWK \"alg\" is not a supported algorithm");
		impl->restricted_to = a;
	}
}

/* ---- OpenSSL keys ----------------------------------------------------------------------- */

ossl::PkeyPtr pkey_from_params(const char *type, OSSL_PARAM_BLD *bld, bool keypair,
                               const char *what)
{
	ossl::ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
	ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
	EVP_PKEY *raw = nullptr;
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
	    EVP_PKEY_fromdata(ctx.get(), &raw, keypair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                      params.get()) <= 0)
		bad_config(std::string("JWK is not a valid ") + what + " key");
	return ossl::PkeyPtr(raw);
}

/*
 * Checks an EC key: on curve P-256 or P-384, a valid point, and a matching private
 * scalar; returns its family.
 */
AlgFamily check_ec_key(EVP_PKEY *pkey, bool is_private)
{
	char group[64] = {};
	std::size_t glen = 0;
	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) != 1)
		bad_config("EC key must be on curve P-256 or P-384");
	AlgFamily family;
	if (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)
		family = AlgFamily::EcP256;
	else if (std::strcmp(group, "secp384r1") == 0 || std::strcmp(group, "P-384") == 0)
		family = AlgFamily::EcP384;
	else
		bad_config("EC key must be on curve P-256 or P-384");
	ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
	if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1)
		bad_config("EC public key is not a valid point of its curve");
	if (is_private && EVP_PKEY_check(ctx.get()) != 1)
		bad_config("EC private key does not match its public key");
	return family;
}

/*
 * Whether a private RSA key signs a fixed message so that its own public part verifies
 * it. Parts that do not belong together (a JWK's "d", "p" or "q" from another key)
 * make a key OpenSSL imports but cannot sign with; the trial works with or without
 * the CRT parameters, where EVP_PKEY_check needs them.
 */
bool rsa_signs_and_verifies(EVP_PKEY *pkey)
{
	ossl::ErrorQueueGuard guard;
	static const unsigned char message[] = "vecrbac RSA key check";
	std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(pkey)), '\0');
	std::size_t len = sig.size();
	ossl::MdCtxPtr sign(EVP_MD_CTX_new()), verify(EVP_MD_CTX_new());
	if (!sign || !verify)
		throw std::bad_alloc();
	return EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
	       EVP_DigestSign(sign.get(), reinterpret_cast<unsigned char *>(sig.data()), &len, message,
	                      sizeof(message)) == 1 &&
	       EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
	       EVP_DigestVerify(verify.get(), reinterpret_cast<const unsigned char *>(sig.data()), len,
	                        message, sizeof(message)) == 1;
}

void adopt_rsa_key(KeyImpl *impl, ossl::PkeyPtr pkey)
{
	int bits = EVP_PKEY_get_bits(pkey.get());
	if (bits < kMinRsaBits || bits > kMaxRsaBits)
		bad_config("RSA key must have 2048 to 8192 bits");
	if (impl->is_private && !rsa_signs_and_verifies(pkey.get()))
		bad_config("RSA private key is inconsistent: its parts do not belong to one key");
	impl->rsa_bytes = EVP_PKEY_get_size(pkey.get());
	impl->family = AlgFamily::Rsa;
	impl->pkey = std::move(pkey);
}

void adopt_ec_key(KeyImpl *impl, ossl::PkeyPtr pkey)
{
	impl->family = check_ec_key(pkey.get(), impl->is_private);
	impl->pkey = std::move(pkey);
}

/* Ed25519 from a 32-byte seed: libsodium expands it and derives the public key. */
void adopt_ed25519_seed(KeyImpl *impl, const unsigned char *seed)
{
	crypto_sign_seed_keypair(impl->ed_pk, impl->ed_sk, seed);
	impl->family = AlgFamily::Ed25519;
}

void adopt_ed25519_public(KeyImpl *impl, const unsigned char *pk)
{
	std::memcpy(impl->ed_pk, pk, crypto_sign_PUBLICKEYBYTES);
	impl->family = AlgFamily::Ed25519;
}

/* ---- JWK ------------------------------------------------------------------------------ */

void load_jwk(std::string_view text, bool want_private, KeyImpl *impl)
{
	Json jwk;
	if (parse_json_strict(text, 8, &jwk) != JsonError::None || !jwk.is_object())
		bad_config("key is neither PEM nor a valid JWK (strict JSON object)");
	const std::string &kty = jwk_string(jwk, "kty");
	if (kty == "oct")
		bad_config("a JWK of type \"oct\" is an HMAC secret: pass the base64url-decoded bytes of "
		           "its \"k\" member with an HS algorithm");
	bool has_private = jwk.find("d") != nullptr;
	if (has_private && !want_private)
		bad_config("a private key was given where a public key is expected");
	if (!has_private && want_private)
		bad_config("a public key was given where a private key is expected");
	impl->is_private = want_private;
	check_jwk_usage(jwk, want_private, impl);

	if (kty == "OKP")
	{
		if (jwk_string(jwk, "crv") != "Ed25519")
			bad_config("OKP key must have \"crv\" \"Ed25519\"");
		std::string x = jwk_bytes(jwk, "x", crypto_sign_PUBLICKEYBYTES);
		if (!want_private)
		{
			adopt_ed25519_public(impl, reinterpret_cast<const unsigned char *>(x.data()));
			return;
		}
		std::string d = jwk_bytes(jwk, "d", crypto_sign_SEEDBYTES);
		Wipe wipe_d{d};
		adopt_ed25519_seed(impl, reinterpret_cast<const unsigned char *>(d.data()));
		if (std::memcmp(impl->ed_pk, x.data(), crypto_sign_PUBLICKEYBYTES) != 0)
			bad_config("JWK \"x\" does not match \"d\"");
		return;
	}

	if (kty == "EC")
	{
		/* P-256 coordinates and scalars are 32 bytes, P-384's 48 (RFC 7518 6.2.1) */
		const std::string &crv = jwk_string(jwk, "crv");
		if (crv != "P-256" && crv != "P-384")
			bad_config("EC key must have \"crv\" \"P-256\" or \"P-384\"");
		const std::size_t n = crv == "P-256" ? 32 : 48;
		std::string x = jwk_bytes(jwk, "x", n), y = jwk_bytes(jwk, "y", n);
		unsigned char point[1 + 2 * 48];
		point[0] = 0x04; /* uncompressed */
		std::memcpy(point + 1, x.data(), n);
		std::memcpy(point + 1 + n, y.data(), n);
		ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
		ossl::BnPtr d;
		if (!bld ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
		                                     n == 32 ? "prime256v1" : "secp384r1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * n))
			throw std::bad_alloc();
		if (want_private)
		{
			std::string dbytes = jwk_bytes(jwk, "d", n);
			Wipe wipe_d{dbytes};
			d.reset(BN_bin2bn(reinterpret_cast<const unsigned char *>(dbytes.data()),
			                  static_cast<int>(n), nullptr));
			if (!d || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()))
				throw std::bad_alloc();
		}
		adopt_ec_key(impl, pkey_from_params("EC", bld.get(), want_private, crv.c_str()));
		return;
	}

	if (kty == "RSA")
	{
		if (jwk.find("oth") != nullptr)
			bad_config("multi-prime RSA keys (\"oth\") are not supported");
		ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
		if (!bld)
			throw std::bad_alloc();
		std::vector<ossl::BnPtr> bns; /* must outlive OSSL_PARAM_BLD_to_param */
		auto push = [&](const char *member, const char *param)
		{
			std::string bytes = jwk_bytes(jwk, member);
			Wipe wipe{bytes};
			bns.emplace_back(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.data()),
			                           static_cast<int>(bytes.size()), nullptr));
			if (!bns.back() || !OSSL_PARAM_BLD_push_BN(bld.get(), param, bns.back().get()))
				throw std::bad_alloc();
		};
		push("n", OSSL_PKEY_PARAM_RSA_N);
		push("e", OSSL_PKEY_PARAM_RSA_E);
		if (want_private)
		{
			push("d", OSSL_PKEY_PARAM_RSA_D);
			const char *crt[5][2] = {{"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
			                         {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
			                         {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
			                         {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
			                         {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
			int present = 0;
			for (auto &c : crt)
				present += jwk.find(c[0]) != nullptr;
			if (present != 0 && present != 5)
				bad_config("RSA JWK must have all of \"p\", \"q\", \"dp\", \"dq\", \"qi\" or none");
			if (present == 5)
				for (auto &c : crt)
					push(c[0], c[1]);
		}
		adopt_rsa_key(impl, pkey_from_params("RSA", bld.get(), want_private, "RSA"));
		return;
	}

	bad_config("unsupported JWK key type (supported: OKP Ed25519, EC P-256 and P-384, RSA)");
}

/* ---- PEM ------------------------------------------------------------------------------ */

void load_pem(std::string_view text, bool want_private, KeyImpl *impl)
{
	if (!want_private && text.find("PRIVATE KEY-----") != std::string_view::npos)
		bad_config("a private key was given where a public key is expected");
	ossl::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
	if (!bio)
		throw std::bad_alloc();
	ossl::PkeyPtr pkey(want_private
	                       ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
	                       : PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
	if (!pkey)
		bad_config(want_private ? "key is not a PEM private key (PKCS#8, EC or RSA; encrypted keys "
		                          "are not supported)"
		                        : "key is not a PEM public key (\"BEGIN PUBLIC KEY\")");
	impl->is_private = want_private;

	switch (EVP_PKEY_get_id(pkey.get()))
	{
	case EVP_PKEY_ED25519:
	{
		unsigned char raw[32];
		std::size_t len = sizeof(raw);
		if (want_private)
		{
			if (EVP_PKEY_get_raw_private_key(pkey.get(), raw, &len) != 1 || len != 32)
				bad_config("Ed25519 private key cannot be read");
			adopt_ed25519_seed(impl, raw);
			sodium_memzero(raw, sizeof(raw));
		}
		else
		{
			if (EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len) != 1 || len != 32)
				bad_config("Ed25519 public key cannot be read");
			adopt_ed25519_public(impl, raw);
		}
		return;
	}
	case EVP_PKEY_EC:
		adopt_ec_key(impl, std::move(pkey));
		return;
	case EVP_PKEY_RSA:
		adopt_rsa_key(impl, std::move(pkey));
		return;
	default:
		bad_config("unsupported key type (supported: Ed25519, EC P-256 and P-384, RSA)");
	}
}

Key make_asymmetric(std::string_view text, bool want_private)
{
	ensure_sodium();
	ossl::ErrorQueueGuard guard;
	if (text.size() > kMaxKeyTextBytes)
		bad_config("key is too long");
	auto impl = std::make_shared<KeyImpl>();
	if (is_pem(text))
		load_pem(text, want_private, impl.get());
	else if (is_json_object_text(text))
		load_jwk(text, want_private, impl.get());
	else
		bad_config(want_private ? "private key must be PEM or JWK"
		                        : "public key must be PEM or JWK");
	if (impl->restricted_to && alg_family(*impl->restricted_to) != impl->family)
		bad_config("JWK \"alg\" does not fit its key type");
	return Key::from_impl(std::move(impl));
}

/* The HMAC pad states of one hash for this secret (RFC 2104 section 2). */
KeyImpl::HmacPads make_pads(const char *digest, std::string_view secret)
{
	ossl::MdPtr md(EVP_MD_fetch(nullptr, digest, nullptr));
	if (!md)
		throw std::runtime_error("digest not available");
	std::size_t block = static_cast<std::size_t>(EVP_MD_get_block_size(md.get()));
	unsigned char k[128] = {}, ipad[128], opad[128];
	if (block > sizeof(k))
		throw std::logic_error("unexpected digest block size");
	if (secret.size() > block)
	{
		unsigned int len = 0;
		if (EVP_Digest(secret.data(), secret.size(), k, &len, md.get(), nullptr) != 1)
			throw std::runtime_error("digest failed");
	}
	else
		std::memcpy(k, secret.data(), secret.size());
	for (std::size_t i = 0; i < block; i++)
	{
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	KeyImpl::HmacPads pads{ossl::MdCtxPtr(EVP_MD_CTX_new()), ossl::MdCtxPtr(EVP_MD_CTX_new())};
	bool ok = pads.inner && pads.outer &&
	          EVP_DigestInit_ex(pads.inner.get(), md.get(), nullptr) == 1 &&
	          EVP_DigestUpdate(pads.inner.get(), ipad, block) == 1 &&
	          EVP_DigestInit_ex(pads.outer.get(), md.get(), nullptr) == 1 &&
	          EVP_DigestUpdate(pads.outer.get(), opad, block) == 1;
	sodium_memzero(k, sizeof(k));
	sodium_memzero(ipad, sizeof(ipad));
	sodium_memzero(opad, sizeof(opad));
	if (!ok)
		throw std::runtime_error("HMAC key setup failed");
	return pads;
}

/* Secrets that are really public-key material: refused as HMAC keys. */
bool looks_like_asymmetric_key(std::string_view secret)
{
	std::string_view s = trim_left(secret);
	if (starts_with(s, "-----BEGIN ") || starts_with(s, "ssh-") || starts_with(s, "ecdsa-sha2-"))
		return true;
	if (starts_with(s, "{"))
	{
		Json j;
		return parse_json_strict(s, 8, &j) == JsonError::None && j.find("kty") != nullptr;
	}
	return false;
}

} // namespace

Key Key::hmac(std::string_view secret)
{
	ensure_sodium();
	ossl::ErrorQueueGuard guard;
	if (secret.size() < kMinHmacKeyBytes)
		bad_config("HMAC key must be at least 32 bytes");
	if (looks_like_asymmetric_key(secret))
		bad_config("HMAC key looks like a PEM, JWK or SSH key, not a shared secret");
	auto impl = std::make_shared<KeyImpl>();
	impl->family = AlgFamily::Hmac;
	impl->secret.assign(secret);
	/* Pads only for the hashes this key is long enough for (Key::fits). */
	impl->hs256 = make_pads("SHA256", secret);
	if (secret.size() >= hmac_min_key_bytes(Alg::HS384))
		impl->hs384 = make_pads("SHA384", secret);
	if (secret.size() >= hmac_min_key_bytes(Alg::HS512))
		impl->hs512 = make_pads("SHA512", secret);
	return Key(std::move(impl));
}

Key Key::public_key(std::string_view pem_or_jwk)
{
	return make_asymmetric(pem_or_jwk, false);
}

Key Key::private_key(std::string_view pem_or_jwk)
{
	return make_asymmetric(pem_or_jwk, true);
}

Key Key::from_impl(std::shared_ptr<const KeyImpl> impl)
{
	return Key(std::move(impl));
}

AlgFamily Key::family() const noexcept
{
	return impl_->family;
}

bool Key::is_private() const noexcept
{
	return impl_->is_private;
}

std::optional<Alg> Key::restricted_to() const noexcept
{
	return impl_->restricted_to;
}

bool Key::fits(Alg alg) const noexcept
{
	if (alg_family(alg) != impl_->family)
		return false;
	if (impl_->restricted_to && *impl_->restricted_to != alg)
		return false;
	if (impl_->family == AlgFamily::Hmac && impl_->secret.size() < hmac_min_key_bytes(alg))
		return false;
	return true;
}

} // namespace vecrbac::jwt
