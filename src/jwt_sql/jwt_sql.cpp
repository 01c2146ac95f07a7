/*
 * jwt_sql.cpp: the SQL functions vecrbac.jwt_verify and vecrbac.jwt_sign.
 *
 * PostgreSQL-style glue around the pure C++ core (jwt/jwt.h). Each function reads
 * its arguments with PostgreSQL calls first (detoasting, arrays, jsonb output), into
 * plain pointers and PODs; then runs the core inside vecrbac::pg::guarded(), where
 * C++ objects live and no PostgreSQL function that can raise an error is called;
 * then builds the result with PostgreSQL calls again, after every C++ object is gone.
 * Results cross from the C++ section in memory allocated before it, or with
 * palloc_extended(MCXT_ALLOC_NO_OOM), which returns NULL instead of raising.
 */
#include "pg/guard.h"

extern "C"
{
#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
}

#include "jwt/jwt.h"
#include "jwt_sql/jwt_settings.h"

#include <cstring>
#include <string_view>

namespace
{

using namespace vecrbac::jwt;

constexpr int kMaxAlgorithmNames = 16;

/* Bytes owned by PostgreSQL (detoasted argument or converted copy). */
struct Bytes
{
	const char *data;
	size_t len;

	std::string_view view() const { return std::string_view(data, len); }
};

struct AlgorithmNames
{
	int count;
	Bytes names[kMaxAlgorithmNames];
};

Bytes text_bytes(text *t)
{
	return Bytes{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

/* A text key: the secret is its UTF-8 encoding, whatever the database encoding. */
Bytes text_key_utf8(text *t)
{
	Bytes b = text_bytes(t);
	char *utf8 = pg_server_to_any(b.data, static_cast<int>(b.len), PG_UTF8);
	if (utf8 != b.data)
		b = Bytes{utf8, std::strlen(utf8)};
	return b;
}

/* Reads algorithms text[] (PostgreSQL calls; may raise). */
void read_algorithm_names(ArrayType *arr, AlgorithmNames *out)
{
	Datum *elems;
	bool *nulls;
	int n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("algorithms must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n > kMaxAlgorithmNames)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("at most %d algorithm names may be given", kMaxAlgorithmNames)));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("algorithm names must not be null")));
		out->names[i] = text_bytes(DatumGetTextPP(elems[i]));
	}
	out->count = n;
}

/*
 * Claims (UTF-8 JSON text, validated by the core) to jsonb. In a UTF-8 database
 * jsonb_in cannot fail on them: the core has refused everything jsonb would (NUL,
 * lone surrogates, invalid UTF-8, numbers beyond double range). In another encoding
 * a character may have no equivalent; the conversion error would quote bytes of
 * the claims, so it is replaced by one that does not.
 */
Datum claims_to_jsonb(char *utf8, size_t len)
{
	if (GetDatabaseEncoding() == PG_UTF8)
		return DirectFunctionCall1(jsonb_in, CStringGetDatum(utf8));

	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum result = (Datum)0;
	volatile bool failed = false;
	PG_TRY();
	{
		char *server = pg_any_to_server(utf8, static_cast<int>(len), PG_UTF8);
		result = DirectFunctionCall1(jsonb_in, CStringGetDatum(server));
	}
	PG_CATCH();
	{
		/* Conversion and parsing hold no locks or buffers: flushing is enough. */
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();
	if (failed)
		ereport(ERROR, (errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
		                errmsg("token claims cannot be represented in the database encoding")));
	return result;
}

/* The shared body of both jwt_verify overloads; key already read. */
Datum jwt_verify_common(FunctionCallInfo fcinfo, Bytes key)
{
	/* The size cap comes before detoasting, let alone decoding. */
	size_t raw_size = toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ;
	size_t cap = static_cast<size_t>(vecrbac::jwt::settings::max_token_bytes);
	if (raw_size > cap)
		ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
		                errmsg("malformed token: longer than %zu bytes", cap)));

	Bytes token = text_bytes(PG_GETARG_TEXT_PP(0));
	AlgorithmNames algs;
	read_algorithm_names(PG_GETARG_ARRAYTYPE_P(2), &algs);
	int32 leeway = PG_GETARG_INT32(3);
	bool require_exp = PG_GETARG_BOOL(4);
	std::int64_t now = vecrbac::jwt::settings::now_seconds();

	/* The decoded payload is shorter than the token. */
	char *claims = static_cast<char *>(palloc(token.len + 1));
	size_t claims_len = 0;

	vecrbac::pg::guarded(
	    [&]
	    {
		    VerifyOptions options;
		    options.algorithms = AlgSet{};
		    for (int i = 0; i < algs.count; i++)
			    options.algorithms.add(parse_alg_or_throw(algs.names[i].view()));
		    options.leeway_seconds = leeway;
		    options.require_exp = require_exp;
		    options.now = now;
		    options.max_token_bytes = cap;
		    const Key keys[1] = {verification_key(key.view(), options.algorithms)};
		    VerifiedToken t = verify(token.view(), keys, options);
		    if (t.claims_json.size() > token.len)
			    throw std::logic_error("claims longer than their token");
		    std::memcpy(claims, t.claims_json.data(), t.claims_json.size());
		    claims_len = t.claims_json.size();
	    });
	claims[claims_len] = '\0';
	return claims_to_jsonb(claims, claims_len);
}

/* The shared body of both jwt_sign overloads; key already read. */
Datum jwt_sign_common(FunctionCallInfo fcinfo, Bytes key)
{
	Jsonb *claims_jsonb = PG_GETARG_JSONB_P(0);
	char *claims = JsonbToCString(NULL, &claims_jsonb->root, VARSIZE(claims_jsonb));
	Bytes claims_utf8{claims, std::strlen(claims)};
	char *converted = pg_server_to_any(claims, static_cast<int>(claims_utf8.len), PG_UTF8);
	if (converted != claims)
		claims_utf8 = Bytes{converted, std::strlen(converted)};
	Bytes alg_name = text_bytes(PG_GETARG_TEXT_PP(2));

	text *result = nullptr;
	vecrbac::pg::guarded(
	    [&]
	    {
		    Alg alg = parse_alg_or_throw(alg_name.view());
		    std::string token = sign(claims_utf8.view(), signing_key(key.view(), alg), alg);
		    /* Cannot raise: returns NULL when out of memory (sizes here are far below 1 GB). */
		    result =
		        static_cast<text *>(palloc_extended(VARHDRSZ + token.size(), MCXT_ALLOC_NO_OOM));
		    if (result == nullptr)
			    throw std::bad_alloc();
		    SET_VARSIZE(result, VARHDRSZ + token.size());
		    std::memcpy(VARDATA(result), token.data(), token.size());
	    });
	PG_RETURN_TEXT_P(result);
}

} // namespace

/* vecrbac.jwt_verify(token text, key bytea, algorithms text[], leeway int, require_exp bool) */
VECRBAC_FUNCTION(vecrbac_jwt_verify_bytea)
{
	return jwt_verify_common(fcinfo, text_bytes(PG_GETARG_BYTEA_PP(1)));
}

/* vecrbac.jwt_verify(token text, key text, ...): the key is the text's UTF-8 bytes. */
VECRBAC_FUNCTION(vecrbac_jwt_verify_text)
{
	return jwt_verify_common(fcinfo, text_key_utf8(PG_GETARG_TEXT_PP(1)));
}

/* vecrbac.jwt_sign(claims jsonb, key bytea, alg text) */
VECRBAC_FUNCTION(vecrbac_jwt_sign_bytea)
{
	return jwt_sign_common(fcinfo, text_bytes(PG_GETARG_BYTEA_PP(1)));
}

/* vecrbac.jwt_sign(claims jsonb, key text, alg text) */
VECRBAC_FUNCTION(vecrbac_jwt_sign_text)
{
	return jwt_sign_common(fcinfo, text_key_utf8(PG_GETARG_TEXT_PP(1)));
}
