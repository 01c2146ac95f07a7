// rbac claims: grants from claims, the per-column scopes policies use, the token cache.
#include "jwt/jwt.h"
#include "common/sql_error.h"
#include "rbac/claims.h"
#include "rbac/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace vecrbac::rbac;
using vecrbac::SqlError;
using vecrbac::jwt::Json;

namespace
{

Json parse(const std::string &text)
{
	Json j;
	EXPECT_EQ(vecrbac::jwt::parse_json_strict(text, 16, &j), vecrbac::jwt::JsonError::None) << text;
	return j;
}

Grants grants(const std::string &claims, MissingAccess missing = MissingAccess::Nothing)
{
	return parse_grants(parse(claims), missing);
}

// The SQLSTATE and message of what parse_grants throws.
std::string refusal(const std::string &claims)
{
	try
	{
		grants(claims);
	}
	catch (const SqlError &e)
	{
		return std::string(e.sqlstate()) + " " + e.what();
	}
	return "accepted";
}

const std::vector<std::string> kKeys = {"tenant"};

TEST(RbacClaims, GlobalModes)
{
	Grants r = grants(R"({"access":"r"})");
	EXPECT_EQ(r.global, Global::Read);
	EXPECT_TRUE(allows(r, "any", Operation::Read));
	EXPECT_FALSE(allows(r, "any", Operation::Write));
	EXPECT_FALSE(allows(r, "any", Operation::Manage));
	Grants m = grants(R"({"access":"m"})");
	for (Operation op : {Operation::Read, Operation::Write, Operation::Truncate, Operation::Index,
	                     Operation::Manage})
		EXPECT_TRUE(allows(m, "any", op));
	EXPECT_EQ(key_scope(r, "docs", "tenant"), R"({"all":true})");
	EXPECT_EQ(payload_scope(m, "docs", kKeys), R"({"all":true})");
	EXPECT_EQ(row_scope(m, "docs", kKeys), R"({"all":true})");
	EXPECT_TRUE(scope_is_exact(r, "docs", kKeys));
}

TEST(RbacClaims, MissingAccessGrantsNothingUnlessConfigured)
{
	Grants none = grants(R"({"sub":"x"})");
	EXPECT_EQ(none.global, Global::None);
	EXPECT_FALSE(allows(none, "docs", Operation::Read));
	EXPECT_EQ(key_scope(none, "docs", "tenant"), R"({"values":[]})");
	EXPECT_EQ(payload_scope(none, "docs", kKeys), R"({"any":[]})");
	Grants qdrant = grants(R"({"sub":"x"})", MissingAccess::Manage);
	EXPECT_EQ(qdrant.global, Global::Manage);
}

TEST(RbacClaims, CollectionModes)
{
	Grants g = grants(
	    R"({"access":[{"collection":"a","access":"r"},{"collection":"b","access":"rw"},{"collection":"c","access":"prw"}]})");
	EXPECT_TRUE(allows(g, "a", Operation::Read));
	EXPECT_FALSE(allows(g, "a", Operation::Write));
	EXPECT_TRUE(allows(g, "b", Operation::Write));
	EXPECT_TRUE(allows(g, "b", Operation::Index));
	EXPECT_TRUE(allows(g, "b", Operation::Truncate));
	EXPECT_TRUE(allows(g, "c", Operation::Write));
	EXPECT_FALSE(allows(g, "c", Operation::Index));
	EXPECT_FALSE(allows(g, "d", Operation::Read));
	EXPECT_FALSE(allows(g, "b", Operation::Manage));
	EXPECT_EQ(key_scope(g, "a", "tenant"), R"({"all":true})");
	EXPECT_EQ(key_scope(g, "d", "tenant"), R"({"values":[]})");
}

TEST(RbacClaims, PayloadScopesProjectOntoColumns)
{
	Grants g = grants(
	    R"({"access":[{"collection":"docs","access":"rw","payload":{"tenant":7,"dept.name":"sales","vip":true}}]})");
	EXPECT_FALSE(
	    allows(g, "docs", Operation::Truncate)); /* a scoped write cannot empty the table */
	EXPECT_EQ(key_scope(g, "docs", "tenant"), R"({"values":[7]})");
	EXPECT_EQ(key_scope(g, "docs", "other"), R"({"all":true})");
	EXPECT_EQ(payload_scope(g, "docs", kKeys), R"({"any":[{"dept.name":"sales","vip":true}]})");
	EXPECT_TRUE(scope_is_exact(g, "docs", kKeys));
	EXPECT_EQ(row_scope(g, "docs", kKeys),
	          R"({"any":[{"k.tenant":7,"p.dept.name":"sales","p.vip":true}]})");
	// without key columns every key is a payload path
	EXPECT_EQ(payload_scope(g, "docs", {}),
	          R"({"any":[{"tenant":7,"dept.name":"sales","vip":true}]})");
}

TEST(RbacClaims, DisjunctionsAndExactness)
{
	// one column restricted by every conjunction: the projection is exact
	Grants same = grants(
	    R"({"access":[{"collection":"docs","access":"r","payload":[{"tenant":1},{"tenant":2},{"tenant":1}]}]})");
	EXPECT_EQ(key_scope(same, "docs", "tenant"), R"({"values":[1,2]})");
	EXPECT_EQ(payload_scope(same, "docs", kKeys), R"({"all":true})");
	EXPECT_TRUE(scope_is_exact(same, "docs", kKeys));

	Grants paths =
	    grants(R"({"access":[{"collection":"docs","access":"r","payload":[{"a":1},{"b":"x"}]}]})");
	EXPECT_EQ(payload_scope(paths, "docs", kKeys), R"({"any":[{"a":1},{"b":"x"}]})");
	EXPECT_TRUE(scope_is_exact(paths, "docs", kKeys));

	// conditions on different columns in one OR: projections are wider, so not exact
	Grants mixed = grants(
	    R"({"access":[{"collection":"docs","access":"prw","payload":[{"tenant":1,"dept":"b"},{"tenant":2,"dept":"a"}]}]})");
	EXPECT_EQ(key_scope(mixed, "docs", "tenant"), R"({"values":[1,2]})");
	EXPECT_EQ(payload_scope(mixed, "docs", kKeys), R"({"any":[{"dept":"b"},{"dept":"a"}]})");
	EXPECT_FALSE(scope_is_exact(mixed, "docs", kKeys));
	EXPECT_EQ(row_scope(mixed, "docs", kKeys),
	          R"({"any":[{"k.tenant":1,"p.dept":"b"},{"k.tenant":2,"p.dept":"a"}]})");

	Grants partial = grants(
	    R"({"access":[{"collection":"docs","access":"r","payload":[{"tenant":1},{"dept":"a"}]}]})");
	EXPECT_EQ(key_scope(partial, "docs", "tenant"), R"({"all":true})");
	EXPECT_EQ(payload_scope(partial, "docs", kKeys), R"({"all":true})");
	EXPECT_FALSE(scope_is_exact(partial, "docs", kKeys));
}

TEST(RbacClaims, EmptyPayloadIsUnrestricted)
{
	Grants g = grants(R"({"access":[{"collection":"docs","access":"rw","payload":{}}]})");
	EXPECT_TRUE(g.collections[0].payload.empty());
	EXPECT_TRUE(allows(g, "docs", Operation::Truncate));
	Grants h = grants(R"({"access":[{"collection":"docs","access":"rw","payload":[{"a":1},{}]}]})");
	EXPECT_EQ(payload_scope(h, "docs", kKeys), R"({"all":true})");
	Grants n = grants(R"({"access":[{"collection":"docs","access":"rw","payload":null}]})");
	EXPECT_EQ(payload_scope(n, "docs", kKeys), R"({"all":true})");
}

TEST(RbacClaims, ValuesAreNormalizedAndTyped)
{
	Grants g = grants(
	    R"({"access":[{"collection":"docs","access":"r","payload":[{"tenant":-0},{"tenant":"0"},{"tenant":false}]}]})");
	EXPECT_EQ(key_scope(g, "docs", "tenant"), R"({"values":[0,"0",false]})");
	Grants s = grants(
	    R"({"access":[{"collection":"docs","access":"r","payload":{"q":"a\"b\\c\u00e9"}}]})");
	EXPECT_EQ(payload_scope(s, "docs", kKeys), "{\"any\":[{\"q\":\"a\\\"b\\\\c\xc3\xa9\"}]}");
}

TEST(RbacClaims, RefusesMalformedGrants)
{
	const char *bad[] = {
	    R"({"access":"rw"})",
	    R"({"access":"R"})",
	    R"({"access":7})",
	    R"({"access":{"collection":"a","access":"r"}})",
	    R"({"access":[{"collection":"a","access":"r"},{"collection":"a","access":"rw"}]})",
	    R"({"access":[{"collection":"a","access":"m"}]})",
	    R"({"access":[{"collection":"a"}]})",
	    R"({"access":[{"access":"r"}]})",
	    R"({"access":[{"collection":"","access":"r"}]})",
	    R"({"access":[{"collection":7,"access":"r"}]})",
	    R"({"access":[{"collection":"a","access":"r","extra":1}]})",
	    R"({"access":["a"]})",
	    R"({"access":[{"collection":"a","access":"r","payload":[]}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":"x"}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":1.5}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":1e3}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":null}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":[1]}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":{"x":1}}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"k":99999999999999999999}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"a..b":1}}]})",
	    R"({"access":[{"collection":"a","access":"r","payload":{"":1}}]})",
	    R"({"access":"r","value_exists":{"collection":"u"}})",
	    R"({"access":"r","value_exists":{"collection":"u","matches":[]}})",
	    R"({"access":"r","value_exists":{"collection":"u","matches":[{"key":"a"}]}})",
	    R"({"access":"r","value_exists":{"collection":"u","matches":[{"key":"a","value":1,"x":2}]}})",
	    R"({"access":"r","value_exists":{"collection":"u","matches":[{"key":"a","value":1},{"key":"a","value":2}]}})",
	    R"({"access":"r","value_exists":{"collection":"u","matches":[{"key":"a","value":1.5}]}})",
	    R"({"access":"r","value_exists":[]})",
	};
	for (const char *claims : bad)
	{
		std::string r = refusal(claims);
		EXPECT_EQ(r.substr(0, 6), "28000 ") << claims << " -> " << r;
		EXPECT_NE(r.find("invalid token claims"), std::string::npos) << r;
	}
}

TEST(RbacClaims, ValueExists)
{
	Grants g = grants(
	    R"({"access":"r","value_exists":{"collection":"users","matches":[{"key":"user","value":"alice"},{"key":"n","value":3}]}})");
	ASSERT_TRUE(g.value_exists.has_value());
	EXPECT_EQ(g.value_exists->collection, "users");
	// "n" names a key column: it is tested on its own; "user" is a payload path.
	std::vector<std::string> keys = {"n"};
	std::vector<LookupTest> tests = value_exists_tests(*g.value_exists, keys);
	ASSERT_EQ(tests.size(), 2u);
	EXPECT_EQ(tests[0].key, "n");
	EXPECT_EQ(tests[0].scope, R"({"values":[3]})");
	EXPECT_EQ(tests[1].key, "");
	EXPECT_EQ(tests[1].scope, R"({"any":[{"user":"alice"}]})");
	// Without key columns, every pair is one payload conjunction.
	tests = value_exists_tests(*g.value_exists, {});
	ASSERT_EQ(tests.size(), 1u);
	EXPECT_EQ(tests[0].scope, R"({"any":[{"user":"alice","n":3}]})");
}

TEST(RbacClaims, ValueExistsPairLimit)
{
	std::string pairs;
	for (std::size_t i = 0; i <= kMaxValueExistsPairs; i++)
		pairs +=
		    (i ? "," : "") + std::string(R"({"key":"k)") + std::to_string(i) + R"(","value":1})";
	std::string r =
	    refusal(R"({"access":"r","value_exists":{"collection":"u","matches":[)" + pairs + "]}}");
	EXPECT_EQ(r, "28000 invalid token claims: \"value_exists\" has more than 16 matches");
}

TEST(RbacClaims, WritableValueExistsIsRefused)
{
	const char *ve = R"("value_exists":{"collection":"staff","matches":[{"key":"u","value":"a"}]})";
	for (const char *access : {R"("m")", R"([{"collection":"staff","access":"rw"}])",
	                           R"([{"collection":"staff","access":"prw","payload":{"u":"a"}}])"})
	{
		Grants g = grants(std::string(R"({"access":)") + access + "," + ve + "}");
		try
		{
			refuse_writable_value_exists(g);
			ADD_FAILURE() << access << " was accepted";
		}
		catch (const SqlError &e)
		{
			EXPECT_NE(std::string(e.what()).find("the token may write \"staff\""),
			          std::string::npos)
			    << e.what();
		}
	}
	for (const char *access : {R"("r")", R"([{"collection":"staff","access":"r"}])",
	                           R"([{"collection":"docs","access":"rw"}])"})
	{
		Grants g = grants(std::string(R"({"access":)") + access + "," + ve + "}");
		EXPECT_NO_THROW(refuse_writable_value_exists(g)) << access;
	}
}

TEST(RbacClaims, Operations)
{
	Operation op;
	EXPECT_TRUE(parse_operation("truncate", &op));
	EXPECT_EQ(op, Operation::Truncate);
	EXPECT_FALSE(parse_operation("READ", &op));
	EXPECT_FALSE(parse_operation("", &op));
}

// ---- the token cache ---------------------------------------------------------------------

const std::string kSecret = "a test secret of at least thirty-two bytes";
const std::string kAlt = "the alternative secret, also 32 bytes or more";

std::string token(const std::string &claims, const std::string &secret = kSecret)
{
	using namespace vecrbac::jwt;
	return sign(claims, Key::hmac(secret), Alg::HS256);
}

SessionConfig config()
{
	SessionConfig c;
	c.secret = kSecret;
	c.secret_alt = kAlt;
	return c;
}

std::string cache_refusal(TokenCache &cache, const std::string &t, const SessionConfig &c,
                          std::uint64_t gen = 1)
{
	try
	{
		cache.get(t, c, gen, 1700000000);
	}
	catch (const SqlError &e)
	{
		return std::string(e.sqlstate()) + " " + e.what();
	}
	return "accepted";
}

TEST(RbacSession, VerifiesOnceAndCaches)
{
	TokenCache cache;
	std::string t = token(R"({"access":"r","exp":1700000600})");
	auto s1 = cache.get(t, config(), 1, 1700000000);
	EXPECT_EQ(s1->grants.global, Global::Read);
	EXPECT_EQ(s1->exp, 1700000600);
	auto s2 = cache.get(t, config(), 1, 1700000000);
	EXPECT_EQ(s1.get(), s2.get());
	EXPECT_EQ(cache.size(), 1u);
	// a new generation (a secret changed) empties the cache
	auto s3 = cache.get(t, config(), 2, 1700000000);
	EXPECT_NE(s1.get(), s3.get());
	EXPECT_EQ(cache.size(), 1u);
}

TEST(RbacSession, EitherSecretVerifies)
{
	TokenCache cache;
	std::string claims = R"({"access":"r","exp":1700000600})";
	EXPECT_EQ(cache_refusal(cache, token(claims, kAlt), config()), "accepted");
	EXPECT_EQ(cache_refusal(cache, token(claims, std::string(40, 'w')), config()),
	          "28000 invalid signature");
	SessionConfig only_alt = config();
	only_alt.secret = "";
	EXPECT_EQ(cache_refusal(cache, token(claims, kAlt), only_alt, 2), "accepted");
	SessionConfig none = config();
	none.secret = none.secret_alt = "";
	EXPECT_EQ(cache_refusal(cache, token(claims), none, 3).substr(0, 5), "22023");
}

TEST(RbacSession, RefusalsAreNotCached)
{
	TokenCache cache;
	EXPECT_EQ(cache_refusal(cache, token(R"({"access":"r","exp":1600000000})"), config()),
	          "28000 token expired");
	EXPECT_EQ(cache_refusal(cache, token(R"({"access":"r"})"), config()),
	          "28000 token has no \"exp\" claim");
	EXPECT_EQ(
	    cache_refusal(cache, token(R"({"access":"x","exp":1700000600})"), config()).substr(0, 26),
	    "28000 invalid token claims");
	EXPECT_EQ(cache.size(), 0u);
	SessionConfig lax = config();
	lax.require_exp = false;
	EXPECT_EQ(cache_refusal(cache, token(R"({"access":"r"})"), lax, 2), "accepted");
}

TEST(RbacSession, BoundedLeastRecentlyUsed)
{
	TokenCache cache;
	std::string first = token(R"({"access":"r","exp":1700000600,"n":0})");
	cache.get(first, config(), 1, 1700000000);
	for (int i = 1; i < 40; i++)
	{
		cache.get(token(R"({"access":"r","exp":1700000600,"n":)" + std::to_string(i) + "}"),
		          config(), 1, 1700000000);
		cache.get(first, config(), 1, 1700000000); /* kept warm */
	}
	EXPECT_EQ(cache.size(), TokenCache::kCapacity);
	auto again = cache.get(first, config(), 1, 1700000000);
	EXPECT_EQ(cache.size(), TokenCache::kCapacity);
}

TEST(RbacSession, BoundedInBytes)
{
	TokenCache cache;
	SessionConfig big = config();
	big.max_token_bytes = TokenCache::kCapacityBytes; /* the largest cap there is */
	/* Tokens of about 400 kB once encoded: two fit the byte budget, not sixteen. */
	for (int i = 0; i < 10; i++)
	{
		std::string pad(300 * 1000, 'x');
		cache.get(token(R"({"access":"r","exp":1700000600,"n":)" + std::to_string(i) +
		                R"(,"pad":")" + pad + "\"}"),
		          big, 1, 1700000000);
		EXPECT_LE(cache.bytes(), TokenCache::kCapacityBytes);
	}
	EXPECT_EQ(cache.size(), 2u);
	/* A token of the largest size is kept alone. */
	std::string huge =
	    token(R"({"access":"r","exp":1700000600,"pad":")" + std::string(700 * 1000, 'y') + "\"}");
	EXPECT_TRUE(cache.get(huge, big, 1, 1700000000) != nullptr);
	EXPECT_EQ(cache.size(), 1u);
	cache.clear();
	EXPECT_EQ(cache.bytes(), 0u);
}

TEST(RbacSession, LivenessAndSecrets)
{
	Session s;
	s.exp = 1000;
	EXPECT_NO_THROW(check_live(s, 1029, 30));
	EXPECT_THROW(check_live(s, 1030, 30), SqlError);
	s.exp = std::nullopt;
	EXPECT_NO_THROW(check_live(s, 99999, 0));
	EXPECT_EQ(secret_problem(""), nullptr);
	EXPECT_EQ(secret_problem(kSecret), nullptr);
	EXPECT_STREQ(secret_problem("short"), "must be at least 32 bytes");
	EXPECT_NE(secret_problem("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA0000000000000000\n"),
	          nullptr);
}

} // namespace

TEST(RbacSession, IssuerAndAudience)
{
	TokenCache cache;
	SessionConfig c = config();
	c.issuers = "https://idp.example, https://old.example";
	c.audiences = "vectors";
	const char *access = R"("exp":2000000000,"access":"r")";
	auto claims = [&](const std::string &more) { return "{" + std::string(access) + more + "}"; };
	EXPECT_NO_THROW(cache.get(token(claims(R"(,"iss":"https://old.example","aud":"vectors")")), c,
	                          1, 1700000000));
	EXPECT_NO_THROW(cache.get(
	    token(claims(R"(,"iss":"https://idp.example","aud":["x","vectors"])")), c, 1, 1700000000));
	EXPECT_EQ(cache_refusal(cache, token(claims(R"(,"aud":"vectors")")), c, 1),
	          "28000 token has no \"iss\" claim");
	EXPECT_EQ(cache_refusal(
	              cache, token(claims(R"(,"iss":"https://evil.example","aud":"vectors")")), c, 1),
	          "28000 claim \"iss\" is not an accepted issuer (vecrbac.issuer)");
	EXPECT_EQ(cache_refusal(cache, token(claims(R"(,"iss":"https://idp.example")")), c, 1),
	          "28000 token has no \"aud\" claim");
	EXPECT_EQ(
	    cache_refusal(cache, token(claims(R"(,"iss":"https://idp.example","aud":["x",7])")), c, 1),
	    "28000 claim \"aud\" names no accepted audience (vecrbac.audience)");
	// a list entry must match whole: no prefix, no empty entry
	c.issuers = "https://idp.example,";
	EXPECT_EQ(cache_refusal(cache, token(claims(R"(,"iss":"https://idp","aud":"vectors")")), c, 2),
	          "28000 claim \"iss\" is not an accepted issuer (vecrbac.issuer)");
	EXPECT_EQ(cache_refusal(cache, token(claims(R"(,"iss":"","aud":"vectors")")), c, 2),
	          "28000 claim \"iss\" is not an accepted issuer (vecrbac.issuer)");
}

TEST(RbacSession, ClaimsPath)
{
	Json claims = parse(
	    R"({"https://example.com/vecrbac":{"access":"r"},"app_metadata":{"vecrbac":{"access":"m"}}})");
	EXPECT_EQ(grants_object(claims, ""), &claims);
	ASSERT_NE(grants_object(claims, "https://example.com/vecrbac"), nullptr);
	EXPECT_EQ(grants_object(claims, "https://example.com/vecrbac")->find("access")->text(), "r");
	ASSERT_NE(grants_object(claims, "app_metadata.vecrbac"), nullptr);
	EXPECT_EQ(grants_object(claims, "app_metadata.vecrbac")->find("access")->text(), "m");
	EXPECT_EQ(grants_object(claims, "app_metadata.missing"), nullptr);
	EXPECT_EQ(grants_object(claims, "nothing"), nullptr);

	// Through the cache: grants come from the path; top-level ones are ignored there.
	TokenCache cache;
	SessionConfig c = config();
	c.claims_path = "app_metadata.vecrbac";
	auto s = cache.get(
	    token(R"({"exp":2000000000,"access":"r","app_metadata":{"vecrbac":{"access":"m"}}})"), c, 1,
	    1700000000);
	EXPECT_EQ(s->grants.global, Global::Manage);
	s = cache.get(token(R"({"exp":2000000000,"access":"m"})"), c, 1, 1700000000);
	EXPECT_EQ(s->grants.global, Global::None);
	EXPECT_EQ(
	    cache_refusal(cache, token(R"({"exp":2000000000,"app_metadata":{"vecrbac":"m"}})"), c, 1),
	    "28000 invalid token claims: claims must be an object");
}
