/*
 * signature.cpp: HMAC (OpenSSL SHA-2, libsodium's constant-time comparison), Ed25519 (libsodium),
 * ECDSA P-256 and P-384 and RSA PKCS#1 v1.5 / PSS (OpenSSL EVP).
 */
#include "jwt/signature.h"

#include "jwt/errors.h"
#include "jwt/key_impl.h"

#include <openssl/rsa.h>

#include <cstring>
#include <stdexcept>

namespace vecrbac::jwt
{

namespace
{

/* The order n of P-256's base point, big-endian. */
constexpr unsigned char kP256Order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

/* The order n of P-384's base point, big-endian. */
constexpr unsigned char kP384Order[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

/* The order L of Ed25519's base point, little-endian (as S is encoded). */
constexpr unsigned char kEd25519Order[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

const unsigned char *bytes(std::string_view s)
{
	return reinterpret_cast<const unsigned char *>(s.data());
}

/* 0 < v < n for len-byte big-endian v and n (public values: no constant time needed). */
bool in_open_range_be(const unsigned char *v, const unsigned char *n, std::size_t len)
{
	bool zero = true;
	for (std::size_t i = 0; i < len; i++)
		zero = zero && v[i] == 0;
	return !zero && std::memcmp(v, n, len) < 0;
}

/* ECDSA by algorithm: the curve's order and the size of R and of S in a JWS signature. */
struct EcdsaParams
{
	const unsigned char *order;
	std::size_t half; /* bytes of R, and of S */
};

EcdsaParams ecdsa_params(Alg alg)
{
	return alg == Alg::ES384 ? EcdsaParams{kP384Order, 48} : EcdsaParams{kP256Order, 32};
}

/* s < L for a 32-byte little-endian s. */
bool ed25519_s_canonical(const unsigned char *s)
{
	for (int i = 31; i >= 0; i--)
	{
		if (s[i] < kEd25519Order[i])
			return true;
		if (s[i] > kEd25519Order[i])
			return false;
	}
	return false; /* s == L */
}

/*
 * HMAC of input into mac (32, 48 or 64 bytes); returns its length.
 * HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), starting from the Key's
 * precomputed states for the two padded blocks (RFC 2104).
 */
std::size_t compute_hmac(Alg alg, const KeyImpl &k, std::string_view input, unsigned char *mac)
{
	const KeyImpl::HmacPads &pads = alg == Alg::HS256   ? k.hs256
	                                : alg == Alg::HS384 ? k.hs384
	                                                    : k.hs512;
	if (alg_family(alg) != AlgFamily::Hmac || !pads.inner)
		throw std::logic_error("no HMAC state for this algorithm");
	ossl::ErrorQueueGuard guard;
	ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
	unsigned char inner[EVP_MAX_MD_SIZE];
	unsigned int inner_len = 0, mac_len = 0;
	bool ok = ctx && EVP_MD_CTX_copy_ex(ctx.get(), pads.inner.get()) == 1 &&
	          EVP_DigestUpdate(ctx.get(), input.data(), input.size()) == 1 &&
	          EVP_DigestFinal_ex(ctx.get(), inner, &inner_len) == 1 &&
	          EVP_MD_CTX_copy_ex(ctx.get(), pads.outer.get()) == 1 &&
	          EVP_DigestUpdate(ctx.get(), inner, inner_len) == 1 &&
	          EVP_DigestFinal_ex(ctx.get(), mac, &mac_len) == 1;
	sodium_memzero(inner, sizeof(inner));
	if (!ok || mac_len != hmac_min_key_bytes(alg))
		throw std::runtime_error("HMAC computation failed");
	return mac_len;
}

/* Sets up an EVP digest sign/verify context for ES256, ES384, RS256 or PS256. */
ossl::MdCtxPtr digest_ctx(Alg alg, EVP_PKEY *pkey, bool sign)
{
	ossl::MdCtxPtr md(EVP_MD_CTX_new());
	if (!md)
		throw std::bad_alloc();
	EVP_PKEY_CTX *pctx = nullptr; /* owned by md */
	const EVP_MD *digest = alg == Alg::ES384 ? EVP_sha384() : EVP_sha256();
	int rc = sign ? EVP_DigestSignInit(md.get(), &pctx, digest, nullptr, pkey)
	              : EVP_DigestVerifyInit(md.get(), &pctx, digest, nullptr, pkey);
	if (rc != 1)
		throw std::runtime_error("signature context setup failed");
	if (alg == Alg::RS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		throw std::runtime_error("RSA padding setup failed");
	if (alg == Alg::PS256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	                          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	                          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		throw std::runtime_error("RSA-PSS setup failed");
	return md;
}

bool verify_ecdsa(Alg alg, const KeyImpl &k, std::string_view input, std::string_view sig)
{
	/* RFC 7518 3.4: exactly R||S, 32 bytes each for P-256 and 48 for P-384; r and s
	 * in [1, n-1]. The range check is ours, not only OpenSSL's, so that r = s = 0
	 * ("psychic signatures") fails whatever the library does. */
	const EcdsaParams ep = ecdsa_params(alg);
	if (sig.size() != 2 * ep.half || !in_open_range_be(bytes(sig), ep.order, ep.half) ||
	    !in_open_range_be(bytes(sig) + ep.half, ep.order, ep.half))
		return false;
	ossl::ErrorQueueGuard guard;
	ossl::EcdsaSigPtr es(ECDSA_SIG_new());
	BIGNUM *r = BN_bin2bn(bytes(sig), static_cast<int>(ep.half), nullptr);
	BIGNUM *s = BN_bin2bn(bytes(sig) + ep.half, static_cast<int>(ep.half), nullptr);
	if (!es || !r || !s || ECDSA_SIG_set0(es.get(), r, s) != 1)
	{
		BN_free(r);
		BN_free(s);
		throw std::bad_alloc();
	}
	unsigned char der[112];
	unsigned char *p = der;
	int der_len = i2d_ECDSA_SIG(es.get(), nullptr);
	if (der_len <= 0 || der_len > static_cast<int>(sizeof(der)) ||
	    i2d_ECDSA_SIG(es.get(), &p) != der_len)
		throw std::runtime_error("ECDSA signature encoding failed");
	ossl::MdCtxPtr md = digest_ctx(alg, k.pkey.get(), false);
	return EVP_DigestVerify(md.get(), der, der_len, bytes(input), input.size()) == 1;
}

bool verify_rsa(Alg alg, const KeyImpl &k, std::string_view input, std::string_view sig)
{
	if (sig.size() != static_cast<std::size_t>(k.rsa_bytes))
		return false;
	ossl::ErrorQueueGuard guard;
	ossl::MdCtxPtr md = digest_ctx(alg, k.pkey.get(), false);
	return EVP_DigestVerify(md.get(), bytes(sig), sig.size(), bytes(input), input.size()) == 1;
}

std::string sign_ecdsa(Alg alg, const KeyImpl &k, std::string_view input)
{
	const EcdsaParams ep = ecdsa_params(alg);
	ossl::ErrorQueueGuard guard;
	ossl::MdCtxPtr md = digest_ctx(alg, k.pkey.get(), true);
	unsigned char der[112];
	std::size_t der_len = sizeof(der);
	if (EVP_DigestSign(md.get(), der, &der_len, bytes(input), input.size()) != 1)
		throw std::runtime_error("ECDSA signing failed");
	const unsigned char *p = der;
	ossl::EcdsaSigPtr es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
	if (!es)
		throw std::runtime_error("ECDSA signature decoding failed");
	std::string out(2 * ep.half, '\0');
	auto *o = reinterpret_cast<unsigned char *>(out.data());
	const int half = static_cast<int>(ep.half);
	if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), o, half) != half ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), o + half, half) != half)
		throw std::runtime_error("ECDSA signature encoding failed");
	return out;
}

std::string sign_rsa(Alg alg, const KeyImpl &k, std::string_view input)
{
	ossl::ErrorQueueGuard guard;
	ossl::MdCtxPtr md = digest_ctx(alg, k.pkey.get(), true);
	std::string out(static_cast<std::size_t>(k.rsa_bytes), '\0');
	std::size_t len = out.size();
	if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char *>(out.data()), &len, bytes(input),
	                   input.size()) != 1 ||
	    len != out.size())
		throw std::runtime_error("RSA signing failed");
	return out;
}

} // namespace

bool verify_signature(Alg alg, const Key &key, std::string_view input, std::string_view signature)
{
	const KeyImpl &k = key.impl();
	if (!key.fits(alg))
		throw std::logic_error("verify_signature: key does not fit the algorithm");
	switch (alg_family(alg))
	{
	case AlgFamily::Hmac:
	{
		unsigned char mac[EVP_MAX_MD_SIZE];
		std::size_t len = compute_hmac(alg, k, input, mac);
		/* The length is public (it is the algorithm's); the bytes are compared in
		 * constant time, so a truncated, extended or empty MAC fails the same way. */
		bool ok = signature.size() == len && sodium_memcmp(mac, signature.data(), len) == 0;
		sodium_memzero(mac, sizeof(mac));
		return ok;
	}
	case AlgFamily::Ed25519:
		/* libsodium also refuses a non-canonical S and small-order points; checking
		 * S here too keeps the rule independent of the library's version. */
		return signature.size() == crypto_sign_BYTES &&
		       ed25519_s_canonical(bytes(signature) + 32) &&
		       crypto_sign_verify_detached(bytes(signature), bytes(input), input.size(), k.ed_pk) ==
		           0;
	case AlgFamily::EcP256:
	case AlgFamily::EcP384:
		return verify_ecdsa(alg, k, input, signature);
	case AlgFamily::Rsa:
		return verify_rsa(alg, k, input, signature);
	}
	return false;
}

std::string create_signature(Alg alg, const Key &key, std::string_view input)
{
	const KeyImpl &k = key.impl();
	if (!key.fits(alg))
		throw std::logic_error("create_signature: key does not fit the algorithm");
	if (alg_family(alg) != AlgFamily::Hmac && !k.is_private)
		bad_config("signing needs a private key");
	switch (alg_family(alg))
	{
	case AlgFamily::Hmac:
	{
		unsigned char mac[EVP_MAX_MD_SIZE];
		std::size_t len = compute_hmac(alg, k, input, mac);
		std::string out(reinterpret_cast<const char *>(mac), len);
		sodium_memzero(mac, sizeof(mac));
		return out;
	}
	case AlgFamily::Ed25519:
	{
		std::string out(crypto_sign_BYTES, '\0');
		crypto_sign_detached(reinterpret_cast<unsigned char *>(out.data()), nullptr, bytes(input),
		                     input.size(), k.ed_sk);
		return out;
	}
	case AlgFamily::EcP256:
	case AlgFamily::EcP384:
		return sign_ecdsa(alg, k, input);
	case AlgFamily::Rsa:
		return sign_rsa(alg, k, input);
	}
	throw std::logic_error("unknown algorithm family");
}

} // namespace vecrbac::jwt
