/*
 * bitvec.cpp: distances between PostgreSQL `bit` values (pgvector's bit surface).
 *
 * hamming_distance and jaccard_distance accept bit and varbit of equal length and
 * run the popcount kernels of vector/bits.h over the packed bytes; the padding of
 * a bit string's last byte is zero, so whole bytes can be counted.
 */
#include "vector/bits.h"
#include "pg/pg.h"

extern "C"
{
#include "utils/varbit.h"
}

namespace
{

/* Both operands must have the same length in bits (pgvector's message). */
void check_same_bit_length(const VarBit *a, const VarBit *b)
{
	if (VARBITLEN(a) != VARBITLEN(b))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different bit lengths %u and %u", (unsigned)VARBITLEN(a),
		                       (unsigned)VARBITLEN(b))));
}

} // namespace

/* hamming_distance(bit, bit): the number of differing bits, the <~> operator. */
VECRBAC_FUNCTION(vecrbac_hamming_distance)
{
	VarBit *a = PG_GETARG_VARBIT_P(0);
	VarBit *b = PG_GETARG_VARBIT_P(1);

	check_same_bit_length(a, b);
	PG_RETURN_FLOAT8((double)vecrbac::bits::hamming(VARBITS(a), VARBITS(b), VARBITBYTES(a)));
}

/* jaccard_distance(bit, bit): 1 - |a & b| / |a | b|, the <%> operator. */
VECRBAC_FUNCTION(vecrbac_jaccard_distance)
{
	VarBit *a = PG_GETARG_VARBIT_P(0);
	VarBit *b = PG_GETARG_VARBIT_P(1);

	check_same_bit_length(a, b);
	PG_RETURN_FLOAT8(vecrbac::bits::jaccard_distance(
	    vecrbac::bits::jaccard_parts(VARBITS(a), VARBITS(b), VARBITBYTES(a))));
}
