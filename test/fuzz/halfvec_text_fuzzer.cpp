/*
 * halfvec_text_fuzzer.cpp: the halfvec type's text input and output (halfvec_in,
 * halfvec_out), the very code the server runs, linked against test/fuzz/pg_stubs.
 *
 * For any input: halfvec_in either returns a halfvec or raises one of the errors
 * pgvector raises (no other SQLSTATE, never a crash or sanitizer report). A halfvec
 * it returns has 1..16000 finite elements; halfvec_out prints it, and halfvec_in
 * reads that back to the same bytes, with the type modifier of its dimensions
 * accepted and another one refused.
 *
 * fuzz-sources: test/fuzz/pg_stubs.cpp src/vector_sql/halfvec_io.cpp src/vector/float_parse.cpp
 * src/vector/half.cpp fuzz-libs: /usr/lib/postgresql/15/lib/libpgcommon_shlib.a fuzz-pg: yes
 * fuzz-max-len: 200000
 */
#include "pg_stubs.h"
#include "vector_sql/halfvec.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

extern "C"
{
	Datum vecrbac_halfvec_in(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_out(PG_FUNCTION_ARGS);
}

namespace
{

vrfuzz::Outcome parse(const char *text, int32 typmod)
{
	LOCAL_FCINFO(fcinfo, 3);
	InitFunctionCallInfoData(*fcinfo, NULL, 3, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetDatum(text);
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = ObjectIdGetDatum(InvalidOid);
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = Int32GetDatum(typmod);
	fcinfo->args[2].isnull = false;
	return vrfuzz::call(vecrbac_halfvec_in, fcinfo);
}

bool expected_input_error(int sqlstate)
{
	return sqlstate == ERRCODE_INVALID_TEXT_REPRESENTATION || sqlstate == ERRCODE_DATA_EXCEPTION ||
	       sqlstate == ERRCODE_PROGRAM_LIMIT_EXCEEDED ||
	       sqlstate == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = (char *)malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0'; /* a cstring: an embedded NUL ends it, as in the server */

	vrfuzz::Outcome in = parse(text, -1);
	if (in.error)
	{
		if (!expected_input_error(in.sqlstate))
			vrfuzz::fail("unexpected SQLSTATE from halfvec_in:", in.message);
		free(text);
		vrfuzz::reset_memory();
		return 0;
	}

	const HalfVector *v = (const HalfVector *)DatumGetPointer(in.result);
	if (v->dim < 1 || v->dim > HALFVEC_MAX_DIM || VARSIZE(v) != HALFVEC_SIZE(v->dim) ||
	    v->unused != 0)
		vrfuzz::fail("malformed halfvec accepted");
	for (int i = 0; i < v->dim; i++)
		if (!std::isfinite(vecrbac::half::to_float(v->x[i])))
			vrfuzz::fail("non-finite element accepted");

	LOCAL_FCINFO(out_fcinfo, 1);
	InitFunctionCallInfoData(*out_fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	out_fcinfo->args[0].value = PointerGetDatum(v);
	out_fcinfo->args[0].isnull = false;
	vrfuzz::Outcome out = vrfuzz::call(vecrbac_halfvec_out, out_fcinfo);
	if (out.error)
		vrfuzz::fail("halfvec_out failed:", out.message);
	const char *printed = DatumGetCString(out.result);

	vrfuzz::Outcome again = parse(printed, v->dim);
	if (again.error)
		vrfuzz::fail("output does not read back:", printed);
	const HalfVector *w = (const HalfVector *)DatumGetPointer(again.result);
	if (VARSIZE(w) != VARSIZE(v) || memcmp(w, v, VARSIZE(v)) != 0)
		vrfuzz::fail("output reads back to a different halfvec:", printed);

	vrfuzz::Outcome wrong = parse(printed, v->dim == HALFVEC_MAX_DIM ? 1 : v->dim + 1);
	if (!wrong.error || wrong.sqlstate != ERRCODE_DATA_EXCEPTION)
		vrfuzz::fail("a wrong type modifier was not refused:", printed);

	free(text);
	vrfuzz::reset_memory();
	return 0;
}
