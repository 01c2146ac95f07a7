/*
 * sparsevec_text_fuzzer.cpp: the sparsevec type's text input and output
 * (sparsevec_in, sparsevec_out), the code the server runs, linked against
 * test/fuzz/pg_stubs.
 *
 * For any input: sparsevec_in either returns a sparsevec or raises one of the errors
 * pgvector raises (no other SQLSTATE, never a crash or sanitizer report). What it
 * returns passes pgvector's validation (sparsefuzz::check_valid); sparsevec_out
 * prints it and sparsevec_in reads that back to the same bytes, with the type
 * modifier of its dimensions accepted and another one refused; and its binary form
 * (sparsevec_send) is read back by sparsevec_recv to the same bytes.
 *
 * fuzz-sources: test/fuzz/pg_stubs.cpp src/vector_sql/sparsevec_io.cpp src/vector/sparse_text.cpp
 * fuzz-libs: /usr/lib/postgresql/15/lib/libpgcommon_shlib.a
 * fuzz-pg: yes
 * fuzz-max-len: 200000
 */
#include "sparsevec_fuzz.h"

#include <cstdlib>
#include <cstring>

namespace
{

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

	vrfuzz::Outcome in = sparsefuzz::call_input(vecrbac_sparsevec_in, CStringGetDatum(text), -1);
	if (in.error)
	{
		if (!expected_input_error(in.sqlstate))
			vrfuzz::fail("unexpected SQLSTATE from sparsevec_in:", in.message);
		free(text);
		vrfuzz::reset_memory();
		return 0;
	}
	const SparseVector *v = (const SparseVector *)DatumGetPointer(in.result);
	sparsefuzz::check_valid(v);

	vrfuzz::Outcome out = sparsefuzz::call1(vecrbac_sparsevec_out, PointerGetDatum(v));
	if (out.error)
		vrfuzz::fail("sparsevec_out failed:", out.message);
	const char *printed = DatumGetCString(out.result);

	vrfuzz::Outcome again =
	    sparsefuzz::call_input(vecrbac_sparsevec_in, CStringGetDatum(printed), v->dim);
	if (again.error)
		vrfuzz::fail("output does not read back:", printed);
	const SparseVector *w = (const SparseVector *)DatumGetPointer(again.result);
	if (VARSIZE(w) != VARSIZE(v) || memcmp(w, v, VARSIZE(v)) != 0)
		vrfuzz::fail("output reads back to a different sparsevec:", printed);

	vrfuzz::Outcome wrong = sparsefuzz::call_input(vecrbac_sparsevec_in, CStringGetDatum(printed),
	                                               v->dim == SPARSEVEC_MAX_DIM ? 1 : v->dim + 1);
	if (!wrong.error || wrong.sqlstate != ERRCODE_DATA_EXCEPTION)
		vrfuzz::fail("a wrong type modifier was not refused:", printed);

	/* The binary form of the same value reads back to the same bytes. */
	vrfuzz::Outcome sent = sparsefuzz::call1(vecrbac_sparsevec_send, PointerGetDatum(v));
	if (sent.error)
		vrfuzz::fail("sparsevec_send failed:", sent.message);
	const bytea *wire = (const bytea *)DatumGetPointer(sent.result);
	StringInfoData buf;
	buf.data = (char *)VARDATA(wire);
	buf.len = (int)(VARSIZE(wire) - VARHDRSZ);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	vrfuzz::Outcome received =
	    sparsefuzz::call_input(vecrbac_sparsevec_recv, PointerGetDatum(&buf), -1);
	if (received.error)
		vrfuzz::fail("sparsevec_recv refused sparsevec_send's output:", received.message);
	const SparseVector *r = (const SparseVector *)DatumGetPointer(received.result);
	if (buf.cursor != buf.len || VARSIZE(r) != VARSIZE(v) || memcmp(r, v, VARSIZE(v)) != 0)
		vrfuzz::fail("the binary form reads back to a different sparsevec:", printed);

	free(text);
	vrfuzz::reset_memory();
	return 0;
}
