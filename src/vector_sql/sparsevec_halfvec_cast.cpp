/*
 * sparsevec_halfvec_cast.cpp: the casts between sparsevec and halfvec, as pgvector
 * declares them (halfvec to sparsevec implicit, sparsevec to halfvec on assignment).
 */
#include "vector_sql/halfvec_internal.h"
#include "vector_sql/sparsevec_internal.h"

namespace hv = vecrbac::halfvec;
namespace sv = vecrbac::sparsevec;
namespace half = vecrbac::half;

/* halfvec_to_sparsevec(halfvec, integer, boolean): keeps the non-zero elements. */
VECRBAC_FUNCTION(vecrbac_halfvec_to_sparsevec)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	int nnz = 0;

	sv::check_dim(vec->dim);
	sv::check_expected_dim(typmod, vec->dim);
	for (int i = 0; i < vec->dim; i++)
		nnz += !half::is_zero(vec->x[i]);
	sv::check_nnz(nnz, vec->dim);

	SparseVector *result = InitSparseVector(vec->dim, nnz);
	float *values = SPARSEVEC_VALUES(result);
	for (int i = 0, j = 0; i < vec->dim; i++)
		if (!half::is_zero(vec->x[i]))
		{
			result->indices[j] = i;
			values[j++] = half::to_float(vec->x[i]);
		}
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * sparsevec_to_halfvec(sparsevec, integer, boolean): the dense halfvec, zeros filled
 * in; a value beyond half precision is refused as halfvec's input refuses it.
 */
VECRBAC_FUNCTION(vecrbac_sparsevec_to_halfvec)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float *values = SPARSEVEC_VALUES(svec);

	hv::check_dim(svec->dim);
	hv::check_expected_dim(typmod, svec->dim);
	HalfVector *result = InitHalfVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
	{
		/* Every way in validates indices; this guards the write against a corrupt datum. */
		if (svec->indices[i] < 0 || svec->indices[i] >= svec->dim)
			elog(ERROR, "sparsevec index out of bounds");
		result->x[svec->indices[i]] = hv::to_half_checked(values[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}
