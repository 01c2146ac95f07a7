/*
 * sparse_text.h: reading the text form of a sparse vector (pure C++).
 *
 * The form is "{i1:v1,i2:v2,...}/dim" with 1-based indices, as pgvector's sparsevec:
 * whitespace may surround every token, indices are read as strtol reads them and
 * values as strtof does (one rounding, as float4in), zero values are dropped, and
 * the elements may come in any order. The caller sorts them (sort_elements) and
 * validates each index (check_index) after checking the dimensions, which is
 * pgvector's order of checks, so the first error reported is pgvector's.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace vecrbac::sparse
{

/* One parsed element; index is already 0-based. */
struct Element
{
	std::int32_t index;
	float value;
};

/* Why a literal was refused (each maps to one of pgvector's messages). */
enum class TextError
{
	none,
	no_open_brace, /* contents must start with "{" */
	syntax,        /* anything else malformed inside the braces or in the dimensions */
	no_slash,      /* unexpected end of input: "/dim" missing */
	junk,          /* junk after the dimensions */
	out_of_range,  /* a value overflowed or underflowed to 0 (bad_offset/bad_length) */
	nan_value,     /* NaN */
	infinite_value /* "inf" or "infinity" */
};

struct TextResult
{
	TextError error;
	std::int32_t dim;       /* when error is none: as written, clamped to the int32 range */
	std::int32_t nnz;       /* when error is none: elements stored */
	std::size_t bad_offset; /* out_of_range: where the number's text starts */
	std::size_t bad_length; /* out_of_range: its length */
};

/* Upper bound on the elements of a literal: its commas plus one. */
std::size_t element_bound(const char *literal);

/*
 * Parses a NUL-terminated literal into elements[0..capacity), capacity at least
 * element_bound(literal). Reads with strtol and strtof, so LC_NUMERIC must be "C"
 * (PostgreSQL backends set it so).
 */
TextResult parse_text(const char *literal, Element *elements, std::size_t capacity);

/* Sorts elements by index (equal indices stay adjacent for check_index to find). */
void sort_elements(Element *elements, std::int32_t nnz);

/* What is wrong with element i of an index list, given the elements before it. */
enum class IndexError
{
	none,
	out_of_bounds, /* index < 0 or >= dim */
	not_ascending,
	duplicate
};

IndexError check_index(const std::int32_t *indices, std::int32_t i, std::int32_t dim);

} // namespace vecrbac::sparse
