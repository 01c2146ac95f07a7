/*
 * ossl.h: owning handles for OpenSSL objects, and error-queue hygiene.
 *
 * OpenSSL records failures in a per-thread error queue. Inside a PostgreSQL
 * backend that queue is shared with the server's own TLS code and with other
 * extensions, so every JWT operation that calls OpenSSL clears it on the way out
 * (ErrorQueueGuard), whether it succeeded, failed or threw.
 */
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace vecrbac::jwt::ossl
{

struct PkeyFree
{
	void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree
{
	void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); }
};
struct MdFree
{
	void operator()(EVP_MD *p) const { EVP_MD_free(p); }
};
struct MdCtxFree
{
	void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
};
struct MacFree
{
	void operator()(EVP_MAC *p) const { EVP_MAC_free(p); }
};
struct MacCtxFree
{
	void operator()(EVP_MAC_CTX *p) const { EVP_MAC_CTX_free(p); }
};
struct BnFree
{
	void operator()(BIGNUM *p) const { BN_clear_free(p); }
};
struct ParamBldFree
{
	void operator()(OSSL_PARAM_BLD *p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree
{
	void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); }
};
struct BioFree
{
	void operator()(BIO *p) const { BIO_free(p); }
};
struct EcdsaSigFree
{
	void operator()(ECDSA_SIG *p) const { ECDSA_SIG_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdPtr = std::unique_ptr<EVP_MD, MdFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

/* Clears OpenSSL's error queue when it goes out of scope. */
struct ErrorQueueGuard
{
	ErrorQueueGuard() = default;
	ErrorQueueGuard(const ErrorQueueGuard &) = delete;
	ErrorQueueGuard &operator=(const ErrorQueueGuard &) = delete;
	~ErrorQueueGuard() { ERR_clear_error(); }
};

} // namespace vecrbac::jwt::ossl
