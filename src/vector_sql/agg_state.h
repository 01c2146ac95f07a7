/*
 * agg_state.h: the state of avg(vector) and avg(halfvec), a double precision[] as in
 * pgvector: {n, s1, ..., sd}, the count of values seen, then the element sums. The
 * initial state is {0}, so d = 0 means "nothing seen yet". Postgres dialect.
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "utils/array.h"
}

namespace vecrbac::vec
{

/* Number of dimensions a state array holds (its length minus the count). */
inline int state_dims(const ArrayType *state)
{
	return ARR_DIMS(state)[0] - 1;
}

/*
 * The state's values, after checking it is one: a 1-D float8 array without NULLs
 * holding at least the count. Anything else was not made by these functions.
 */
const float8 *check_state_array(ArrayType *state, const char *caller);

/* A state array {n, sums[0..dim-1]}. */
ArrayType *make_state(float8 n, const float8 *sums, int dim);

} // namespace vecrbac::vec
