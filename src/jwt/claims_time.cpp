/*
 * claims_time.cpp: NumericDate parsing and the exp/nbf/iat checks.
 */
#include "jwt/claims_time.h"

#include "jwt/errors.h"

namespace vecrbac::jwt
{

std::optional<std::int64_t> numeric_date(const Json &v) noexcept
{
	std::optional<std::int64_t> n = v.as_int64(); /* integer literals only */
	if (!n || *n < 0 || *n > kMaxNumericDate)
		return std::nullopt;
	/* "-0" is an integer literal with value 0, but still a negative number. */
	if (v.text()[0] == '-')
		return std::nullopt;
	return n;
}

TimeClaims read_time_claims(const Json &claims, const char *sqlstate)
{
	TimeClaims t;
	struct
	{
		const char *name;
		std::optional<std::int64_t> *slot;
	} fields[] = {{"exp", &t.exp}, {"nbf", &t.nbf}, {"iat", &t.iat}};
	for (auto &f : fields)
	{
		const Json *v = claims.find(f.name);
		if (v == nullptr)
			continue;
		*f.slot = numeric_date(*v);
		if (!*f.slot)
			throw SqlError(sqlstate,
			               std::string("claim \"") + f.name + "\" must be an integer NumericDate");
	}
	return t;
}

void check_time_claims(const TimeClaims &t, std::int64_t now, std::int64_t leeway, bool require_exp)
{
	/* All values are within [0, kMaxNumericDate] and leeway within [0, 86400], so
	 * none of the sums below can overflow. */
	if (!t.exp)
	{
		if (require_exp)
			reject("token has no \"exp\" claim");
	}
	else if (now >= *t.exp + leeway)
		reject("token expired");
	if (t.nbf && now < *t.nbf - leeway)
		reject("token not yet valid (\"nbf\" is in the future)");
	if (t.iat && now < *t.iat - leeway)
		reject("token not yet valid (\"iat\" is in the future)");
}

} // namespace vecrbac::jwt
