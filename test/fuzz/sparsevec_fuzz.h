/*
 * sparsevec_fuzz.h: what every sparsevec the fuzz targets get back must satisfy, and
 * calls of the type's I/O functions through the harness.
 */
#pragma once

#include "pg_stubs.h"
#include "vector_sql/sparsevec.h"

#include <cmath>

extern "C"
{
	Datum vecrbac_sparsevec_in(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_out(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_recv(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_send(PG_FUNCTION_ARGS);
}

namespace sparsefuzz
{

/* The invariants of a stored sparsevec: pgvector's validation, all of it. */
inline void check_valid(const SparseVector *v)
{
	if (v->dim < 1 || v->dim > SPARSEVEC_MAX_DIM)
		vrfuzz::fail("sparsevec with dimensions out of range accepted");
	if (v->nnz < 0 || v->nnz > SPARSEVEC_MAX_NNZ || v->nnz > v->dim)
		vrfuzz::fail("sparsevec with a bad element count accepted");
	if (VARSIZE(v) != SPARSEVEC_SIZE(v->nnz) || v->unused != 0)
		vrfuzz::fail("malformed sparsevec accepted");
	const float *values = SPARSEVEC_VALUES(const_cast<SparseVector *>(v));
	for (int i = 0; i < v->nnz; i++)
	{
		if (v->indices[i] < 0 || v->indices[i] >= v->dim)
			vrfuzz::fail("sparsevec index out of bounds accepted");
		if (i > 0 && v->indices[i] <= v->indices[i - 1])
			vrfuzz::fail("sparsevec indices not strictly ascending accepted");
		if (!std::isfinite(values[i]) || values[i] == 0)
			vrfuzz::fail("sparsevec with a zero or non-finite value accepted");
	}
}

inline vrfuzz::Outcome call1(PGFunction fn, Datum arg)
{
	LOCAL_FCINFO(fcinfo, 1);
	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = arg;
	fcinfo->args[0].isnull = false;
	return vrfuzz::call(fn, fcinfo);
}

/* Calls an input function (text or binary) with its three arguments. */
inline vrfuzz::Outcome call_input(PGFunction fn, Datum input, int32 typmod)
{
	LOCAL_FCINFO(fcinfo, 3);
	InitFunctionCallInfoData(*fcinfo, NULL, 3, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = input;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = ObjectIdGetDatum(InvalidOid);
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = Int32GetDatum(typmod);
	fcinfo->args[2].isnull = false;
	return vrfuzz::call(fn, fcinfo);
}

} // namespace sparsefuzz
