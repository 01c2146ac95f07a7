/*
 * vector_io.cpp: text and binary input/output and the type modifier of vector.
 *
 * The text form is "[x1,x2,...]". Input accepts what pgvector accepts (strtof
 * numbers, whitespace around elements and brackets) and refuses the rest with
 * pgvector's messages; output prints each element as the shortest decimal that
 * reads back to the same float, exactly as pgvector (and PostgreSQL's real type).
 * The binary form is int16 dim, int16 unused (0), then dim big-endian float4.
 */
#include "vector/float_parse.h"
#include "vector_sql/literal_scan.h"
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include <cstring>

using namespace vecrbac::vec;

namespace
{

[[noreturn]] void invalid_syntax(const char *literal)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type vector: \"%s\"", literal)));
	pg_unreachable();
}

} // namespace

/* vector_in(cstring, oid, integer): parses "[x1,...,xn]". */
VECRBAC_FUNCTION(vecrbac_vector_in)
{
	const char *literal = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);
	const char *limit = literal + strlen(literal);
	const char *p = skip_spaces(literal);
	Vector *result;
	int capacity;
	int dim = 0;

	if (*p != '[')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type vector: \"%s\"", literal),
		                errdetail("Vector contents must start with \"[\".")));
	p = skip_spaces(p + 1);
	if (*p == ']')
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));

	capacity = element_bound(p, VECTOR_MAX_DIM);
	result = (Vector *)palloc0(VECTOR_SIZE(capacity));

	for (;;)
	{
		const char *end;
		float value;

		if (dim == VECTOR_MAX_DIM)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("vector cannot have more than %d dimensions", VECTOR_MAX_DIM)));
		p = skip_spaces(p);
		if (*p == '\0')
			invalid_syntax(literal);

		/*
		 * Exactly strtof's reading (as float4in: one rounding from decimal to
		 * float, where strtod and a cast would round twice), with a faster path
		 * for plain decimals; see float_parse.h.
		 */
		switch (parse_float(p, limit, &value, &end))
		{
		case FloatParse::ok:
			break;
		case FloatParse::no_number:
			invalid_syntax(literal);
		case FloatParse::out_of_range:
			ereport(ERROR,
			        (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			         errmsg("\"%s\" is out of range for type vector", pnstrdup(p, end - p))));
		}
		check_element(value);

		/* Separators bound the count, so a well-formed literal always fits. */
		if (dim >= capacity)
			invalid_syntax(literal);
		result->x[dim++] = value;

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
		                errmsg("invalid input syntax for type vector: \"%s\"", literal),
		                errdetail("Junk after closing right brace.")));

	check_dim(dim);
	check_expected_dim(typmod, dim);

	SET_VARSIZE(result, VECTOR_SIZE(dim));
	result->dim = (int16)dim;
	PG_RETURN_VECTOR_P(result);
}

/* vector_out(vector): "[x1,...,xn]" with shortest round-trip decimals. */
VECRBAC_FUNCTION(vecrbac_vector_out)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
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
		p += float_to_shortest_decimal_bufn(vec->x[i], p);
	}
	*p++ = ']';
	*p = '\0';

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

/* vector_typmod_in(cstring[]): the n of vector(n), 1..VECTOR_MAX_DIM. */
VECRBAC_FUNCTION(vecrbac_vector_typmod_in)
{
	ArrayType *modifiers = PG_GETARG_ARRAYTYPE_P(0);
	int count;
	int32 *values = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (values[0] < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type vector must be at least 1")));
	if (values[0] > VECTOR_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type vector cannot exceed %d", VECTOR_MAX_DIM)));
	PG_RETURN_INT32(values[0]);
}

/*
 * vector_recv(internal, oid, integer): the binary form. A short message fails in
 * pq_getmsg* ("insufficient data left in message"); trailing bytes are refused by
 * the caller (COPY, bind), which checks that the whole field was consumed.
 */
VECRBAC_FUNCTION(vecrbac_vector_recv)
{
	StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
	int32 typmod = PG_GETARG_INT32(2);
	int16 dim = (int16)pq_getmsgint(buf, sizeof(int16));
	int16 unused = (int16)pq_getmsgint(buf, sizeof(int16));
	Vector *result;

	check_dim(dim);
	check_expected_dim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected unused to be 0, not %d", unused)));

	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = pq_getmsgfloat4(buf);
		check_element(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

/* vector_send(vector): the binary form read by vector_recv. */
VECRBAC_FUNCTION(vecrbac_vector_send)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, (uint16)vec->dim);
	pq_sendint16(&buf, (uint16)vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendfloat4(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
