/*
 * halfvec_io.cpp: text and binary input/output and the type modifier of halfvec.
 *
 * The text form is vector's, "[x1,x2,...]". Each element is read as a float exactly
 * as vector input reads it (strtof's value), then rounded to half precision; a
 * number beyond the half range (|x| >= 65520 after rounding) is out of range, as in
 * pgvector. Output prints each element as the shortest decimal that reads back to
 * the same float (the element's exact value widened to float), as pgvector does.
 * The binary form is int16 dim, int16 unused (0), then dim big-endian binary16.
 */
#include "vector/float_parse.h"
#include "vector_sql/halfvec_internal.h"
#include "vector_sql/literal_scan.h"

extern "C"
{
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include <cstring>

using namespace vecrbac::halfvec;
using vecrbac::vec::element_bound;
using vecrbac::vec::FloatParse;
using vecrbac::vec::skip_spaces;
namespace hf = vecrbac::half;

namespace
{

[[noreturn]] void invalid_syntax(const char *literal)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type halfvec: \"%s\"", literal)));
	pg_unreachable();
}

/* The number between p and end is beyond float or half range. */
[[noreturn]] void out_of_range(const char *p, const char *end)
{
	ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
	                errmsg("\"%s\" is out of range for type halfvec", pnstrdup(p, end - p))));
	pg_unreachable();
}

} // namespace

/* halfvec_in(cstring, oid, integer): parses "[x1,...,xn]". */
VECRBAC_FUNCTION(vecrbac_halfvec_in)
{
	const char *literal = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);
	const char *limit = literal + strlen(literal);
	const char *p = skip_spaces(literal);
	HalfVector *result;
	int capacity;
	int dim = 0;

	if (*p != '[')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type halfvec: \"%s\"", literal),
		                errdetail("Vector contents must start with \"[\".")));
	p = skip_spaces(p + 1);
	if (*p == ']')
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("halfvec must have at least 1 dimension")));

	capacity = element_bound(p, HALFVEC_MAX_DIM);
	result = (HalfVector *)palloc0(HALFVEC_SIZE(capacity));

	for (;;)
	{
		const char *end;
		float value;
		Half element;

		if (dim == HALFVEC_MAX_DIM)
			ereport(ERROR,
			        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			         errmsg("halfvec cannot have more than %d dimensions", HALFVEC_MAX_DIM)));
		p = skip_spaces(p);
		if (*p == '\0')
			invalid_syntax(literal);

		/* One rounding from decimal to float (strtof's), then float to half. */
		switch (vecrbac::vec::parse_float(p, limit, &value, &end))
		{
		case FloatParse::ok:
			break;
		case FloatParse::no_number:
			invalid_syntax(literal);
		case FloatParse::out_of_range:
			out_of_range(p, end);
		}
		element = hf::from_float(value);
		if (hf::is_inf(element) && !std::isinf(value))
			out_of_range(p, end);
		check_element(element);

		/* Separators bound the count, so a well-formed literal always fits. */
		if (dim >= capacity)
			invalid_syntax(literal);
		result->x[dim++] = element;

		p = skip_spaces(end);
		if (*p == ',')
			p++;
		else if (*p == ']')
		{
			p++;
			break;
		}
		else
			invalid_syntax(literal);
	}

	p = skip_spaces(p);
	if (*p != '\0')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type halfvec: \"%s\"", literal),
		                errdetail("Junk after closing right brace.")));

	check_dim(dim);
	check_expected_dim(typmod, dim);

	SET_VARSIZE(result, HALFVEC_SIZE(dim));
	result->dim = (int16)dim;
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_out(halfvec): "[x1,...,xn]" with shortest round-trip decimals of the floats. */
VECRBAC_FUNCTION(vecrbac_halfvec_out)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int dim = vec->dim;
	/*
	 * Each element takes at most FLOAT_SHORTEST_DECIMAL_LEN - 1 characters plus a
	 * separator or bracket; then the closing bracket and the terminator.
	 */
	char *buf = (char *)palloc((Size)FLOAT_SHORTEST_DECIMAL_LEN * dim + 2);
	char *p = buf;

	*p++ = '[';
	for (int i = 0; i < dim; i++)
	{
		if (i > 0)
			*p++ = ',';
		p += float_to_shortest_decimal_bufn(hf::to_float(vec->x[i]), p);
	}
	*p++ = ']';
	*p = '\0';

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

/* halfvec_typmod_in(cstring[]): the n of halfvec(n), 1..HALFVEC_MAX_DIM. */
VECRBAC_FUNCTION(vecrbac_halfvec_typmod_in)
{
	ArrayType *modifiers = PG_GETARG_ARRAYTYPE_P(0);
	int count;
	int32 *values = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (values[0] < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type halfvec must be at least 1")));
	if (values[0] > HALFVEC_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type halfvec cannot exceed %d", HALFVEC_MAX_DIM)));
	PG_RETURN_INT32(values[0]);
}

/*
 * halfvec_recv(internal, oid, integer): the binary form. A short message fails in
 * pq_getmsg* ("insufficient data left in message"); trailing bytes are refused by
 * the caller (COPY, bind), which checks that the whole field was consumed.
 */
VECRBAC_FUNCTION(vecrbac_halfvec_recv)
{
	StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
	int32 typmod = PG_GETARG_INT32(2);
	/* Read unsigned, as pgvector reads halfvec: 0xffff dimensions is too many, not negative. */
	int dim = (int)pq_getmsgint(buf, sizeof(int16));
	int unused = (int)pq_getmsgint(buf, sizeof(int16));
	HalfVector *result;

	check_dim(dim);
	check_expected_dim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected unused to be 0, not %d", unused)));

	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (Half)pq_getmsgint(buf, sizeof(Half));
		check_element(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_send(halfvec): the binary form read by halfvec_recv. */
VECRBAC_FUNCTION(vecrbac_halfvec_send)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, (uint16)vec->dim);
	pq_sendint16(&buf, (uint16)vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendint16(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
