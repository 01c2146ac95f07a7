/*
 * sparse_text.cpp: the sparse vector literal reader and index validation.
 *
 * The reader stops at the first problem and reports it, in the order pgvector
 * meets them while scanning left to right; dimension checks and index checks come
 * afterwards, from the caller.
 */
#include "vector/sparse_text.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

namespace vecrbac::sparse
{
namespace
{

/* The whitespace PostgreSQL's scanner skips (scanner_isspace). */
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

TextResult failed(TextError error)
{
	return TextResult{error, 0, 0, 0, 0};
}

} // namespace

std::size_t element_bound(const char *literal)
{
	std::size_t commas = 0;
	for (const char *p = literal; *p; p++)
		commas += *p == ',';
	return commas + 1;
}

TextResult parse_text(const char *literal, Element *elements, std::size_t capacity)
{
	const char *p = skip_spaces(literal);
	char *end;
	std::int32_t nnz = 0;

	if (*p != '{')
		return failed(TextError::no_open_brace);
	p = skip_spaces(p + 1);

	if (*p == '}')
		p++;
	else
		for (;;)
		{
			/* Commas bound the count, so only a broken caller can run out. */
			if ((std::size_t)nnz >= capacity)
				return failed(TextError::syntax);
			p = skip_spaces(p);
			if (*p == '\0')
				return failed(TextError::syntax);

			long index = std::strtol(p, &end, 10);
			if (end == p)
				return failed(TextError::syntax);
			/* Clamped so that a huge index is reported as out of bounds, not wrapped. */
			index = std::clamp(index, (long)INT_MIN + 1, (long)INT_MAX);
			p = skip_spaces(end);
			if (*p != ':')
				return failed(TextError::syntax);
			p = skip_spaces(p + 1);

			errno = 0;
			float value = std::strtof(p, &end);
			if (end == p)
				return failed(TextError::syntax);
			/* float4in's rule: overflow, and underflow to zero, are range errors. */
			if (errno == ERANGE && (value == 0 || std::isinf(value)))
				return TextResult{TextError::out_of_range, 0, 0, (std::size_t)(p - literal),
				                  (std::size_t)(end - p)};
			if (std::isnan(value))
				return failed(TextError::nan_value);
			if (std::isinf(value))
				return failed(TextError::infinite_value);

			if (value != 0)
				elements[nnz++] = Element{(std::int32_t)(index - 1), value};

			p = skip_spaces(end);
			if (*p == ',')
				p++;
			else if (*p == '}')
			{
				p++;
				break;
			}
			else
				return failed(TextError::syntax);
		}

	p = skip_spaces(p);
	if (*p != '/')
		return failed(TextError::no_slash);
	p = skip_spaces(p + 1);

	long dim = std::strtol(p, &end, 10);
	if (end == p)
		return failed(TextError::syntax);
	dim = std::clamp(dim, (long)INT_MIN, (long)INT_MAX);
	p = skip_spaces(end);
	if (*p != '\0')
		return failed(TextError::junk);

	return TextResult{TextError::none, (std::int32_t)dim, nnz, 0, 0};
}

void sort_elements(Element *elements, std::int32_t nnz)
{
	std::sort(elements, elements + nnz,
	          [](const Element &x, const Element &y) { return x.index < y.index; });
}

IndexError check_index(const std::int32_t *indices, std::int32_t i, std::int32_t dim)
{
	std::int32_t index = indices[i];

	if (index < 0 || index >= dim)
		return IndexError::out_of_bounds;
	if (i > 0 && index < indices[i - 1])
		return IndexError::not_ascending;
	if (i > 0 && index == indices[i - 1])
		return IndexError::duplicate;
	return IndexError::none;
}

} // namespace vecrbac::sparse
