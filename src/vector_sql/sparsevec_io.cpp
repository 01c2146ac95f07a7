/*
 * sparsevec_io.cpp: text and binary input/output and the type modifier of sparsevec.
 *
 * The text form is "{i1:v1,...}/dim" with 1-based indices, read by the pure
 * reader of vector/sparse_text.h; output prints each value as the shortest decimal
 * that reads back to the same float, as pgvector. The binary form is int32 dim,
 * int32 nnz, int32 unused (0), nnz 0-based int32 indices, then nnz float4 values,
 * all big-endian; it must not contain zero values.
 */
#include "vector_sql/sparsevec_internal.h"

extern "C"
{
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include <cstring>

using namespace vecrbac::sparsevec;
namespace sp = vecrbac::sparse;

namespace
{

[[noreturn]] void invalid_syntax(const char *literal, const char *detail)
{
	if (detail)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type sparsevec: \"%s\"", literal),
		                errdetail("%s", detail)));
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type sparsevec: \"%s\"", literal)));
	pg_unreachable();
}

/* Raises the error of a refused literal, with pgvector's message for each case. */
[[noreturn]] void report_text_error(const char *literal, const sp::TextResult &r)
{
	switch (r.error)
	{
	case sp::TextError::no_open_brace:
		invalid_syntax(literal, "Vector contents must start with \"{\".");
	case sp::TextError::no_slash:
		invalid_syntax(literal, "Unexpected end of input.");
	case sp::TextError::junk:
		invalid_syntax(literal, "Junk after closing.");
	case sp::TextError::out_of_range:
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type sparsevec",
		                       pnstrdup(literal + r.bad_offset, r.bad_length))));
		break;
	case sp::TextError::nan_value:
		check_element(NAN);
		break;
	case sp::TextError::infinite_value:
		check_element(INFINITY);
		break;
	case sp::TextError::syntax:
	case sp::TextError::none:
		break;
	}
	invalid_syntax(literal, nullptr);
}

} // namespace

/* sparsevec_in(cstring, oid, integer): parses "{i:v,...}/dim". */
VECRBAC_FUNCTION(vecrbac_sparsevec_in)
{
	const char *literal = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);
	std::size_t bound = sp::element_bound(literal);
	sp::Element *elements;
	sp::TextResult r;
	SparseVector *result;
	float *values;

	/* Before reading anything, as pgvector: the separators alone exceed the limit. */
	if (bound > (std::size_t)SPARSEVEC_MAX_NNZ)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more than %d non-zero elements",
		                       SPARSEVEC_MAX_NNZ)));

	elements = (sp::Element *)palloc(sizeof(sp::Element) * bound);
	r = sp::parse_text(literal, elements, bound);
	if (r.error != sp::TextError::none)
		report_text_error(literal, r);

	check_dim(r.dim);
	check_expected_dim(typmod, r.dim);

	sp::sort_elements(elements, r.nnz);
	result = InitSparseVector(r.dim, r.nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < r.nnz; i++)
	{
		result->indices[i] = elements[i].index;
		values[i] = elements[i].value;
		check_index(result->indices, i, r.dim);
	}
	pfree(elements);
	PG_RETURN_SPARSEVEC_P(result);
}

/* sparsevec_out(sparsevec): "{i:v,...}/dim" with 1-based indices and shortest decimals. */
VECRBAC_FUNCTION(vecrbac_sparsevec_out)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	const float *values = SPARSEVEC_VALUES(svec);
	/*
	 * Per element: an index of at most 11 characters (sign included), ':', a value
	 * of at most FLOAT_SHORTEST_DECIMAL_LEN - 1 characters and a separator; then
	 * the braces, '/', at most 11 for the dimensions and the terminator.
	 */
	char *buf = (char *)palloc((Size)(13 + FLOAT_SHORTEST_DECIMAL_LEN) * svec->nnz + 16);
	char *p = buf;

	*p++ = '{';
	for (int i = 0; i < svec->nnz; i++)
	{
		if (i > 0)
			*p++ = ',';
		p += pg_ltoa(svec->indices[i] + 1, p);
		*p++ = ':';
		p += float_to_shortest_decimal_bufn(values[i], p);
	}
	*p++ = '}';
	*p++ = '/';
	p += pg_ltoa(svec->dim, p);
	*p = '\0';

	PG_FREE_IF_COPY(svec, 0);
	PG_RETURN_CSTRING(buf);
}

/* sparsevec_typmod_in(cstring[]): the n of sparsevec(n), 1..SPARSEVEC_MAX_DIM. */
VECRBAC_FUNCTION(vecrbac_sparsevec_typmod_in)
{
	ArrayType *modifiers = PG_GETARG_ARRAYTYPE_P(0);
	int count;
	int32 *mods = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (mods[0] < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type sparsevec must be at least 1")));
	if (mods[0] > SPARSEVEC_MAX_DIM)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("dimensions for type sparsevec cannot exceed %d", SPARSEVEC_MAX_DIM)));
	PG_RETURN_INT32(mods[0]);
}

/*
 * sparsevec_recv(internal, oid, integer): the binary form. The header is checked
 * before anything is allocated, so a forged nnz cannot ask for a huge buffer; a
 * short message fails in pq_getmsg* ("insufficient data left in message").
 */
VECRBAC_FUNCTION(vecrbac_sparsevec_recv)
{
	StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
	int32 typmod = PG_GETARG_INT32(2);
	int32 dim = (int32)pq_getmsgint(buf, sizeof(int32));
	int32 nnz = (int32)pq_getmsgint(buf, sizeof(int32));
	int32 unused = (int32)pq_getmsgint(buf, sizeof(int32));
	SparseVector *result;
	float *values;

	check_dim(dim);
	check_nnz(nnz, dim);
	check_expected_dim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected unused to be 0, not %d", unused)));

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < nnz; i++)
	{
		result->indices[i] = (int32)pq_getmsgint(buf, sizeof(int32));
		check_index(result->indices, i, dim);
	}
	for (int i = 0; i < nnz; i++)
	{
		values[i] = pq_getmsgfloat4(buf);
		check_element(values[i]);
		if (values[i] == 0)
			ereport(ERROR,
			        (errcode(ERRCODE_DATA_EXCEPTION),
			         errmsg("binary representation of sparsevec cannot contain zero values")));
	}
	PG_RETURN_SPARSEVEC_P(result);
}

/* sparsevec_send(sparsevec): the binary form read by sparsevec_recv. */
VECRBAC_FUNCTION(vecrbac_sparsevec_send)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	const float *values = SPARSEVEC_VALUES(svec);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, (uint32)svec->dim);
	pq_sendint32(&buf, (uint32)svec->nnz);
	pq_sendint32(&buf, (uint32)svec->unused);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendint32(&buf, (uint32)svec->indices[i]);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendfloat4(&buf, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
