/*
 * literal_scan.h: the lexical pieces shared by the text input of vector and halfvec
 * ("[x1,x2,...]"): the whitespace that pgvector skips and a bound on the element count.
 */
#pragma once

namespace vecrbac::vec
{

/* The whitespace that array input skips (array_isspace is static in PostgreSQL). */
inline bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

inline const char *skip_spaces(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/*
 * An upper bound on the number of elements of a literal: separators plus one,
 * capped just above max_dim so that the caller's limit check still fires. For
 * well-formed input the bound is exact, so the result is allocated once.
 */
inline int element_bound(const char *p, int max_dim)
{
	int commas = 0;

	for (; *p; p++)
		if (*p == ',' && ++commas >= max_dim)
			break;
	return commas + 1;
}

} // namespace vecrbac::vec
