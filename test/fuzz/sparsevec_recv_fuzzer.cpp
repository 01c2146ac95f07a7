/*
 * sparsevec_recv_fuzzer.cpp: the sparsevec type's binary input and output
 * (sparsevec_recv, sparsevec_send), the code the server runs, linked against
 * test/fuzz/pg_stubs.
 *
 * For any message: sparsevec_recv either returns a sparsevec or raises one of the
 * errors pgvector raises (or "insufficient data" from pq_getmsg*), never a crash or
 * sanitizer report, and never allocates for a count it has not validated. What it
 * returns passes pgvector's validation, consumed exactly 12 + 8 * nnz bytes, and
 * sparsevec_send reproduces those bytes. The first input byte picks the type
 * modifier (0: none), the rest is the message.
 *
 * fuzz-sources: test/fuzz/pg_stubs.cpp src/vector_sql/sparsevec_io.cpp src/vector/sparse_text.cpp
 * fuzz-libs: /usr/lib/postgresql/15/lib/libpgcommon_shlib.a
 * fuzz-pg: yes
 * fuzz-max-len: 140000
 */
#include "sparsevec_fuzz.h"

#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int32 typmod = data[0] == 0 ? -1 : data[0];
	data++;
	size--;

	/* The message in a buffer of exactly its size, so ASan catches any overread. */
	char *bytes = (char *)malloc(size + 1);
	memcpy(bytes, data, size);
	bytes[size] = '\0'; /* as the server's StringInfo, which is NUL-terminated */
	StringInfoData buf;
	buf.data = bytes;
	buf.len = (int)size;
	buf.maxlen = (int)size + 1;
	buf.cursor = 0;

	vrfuzz::Outcome in =
	    sparsefuzz::call_input(vecrbac_sparsevec_recv, PointerGetDatum(&buf), typmod);
	if (in.error)
	{
		if (in.sqlstate != ERRCODE_DATA_EXCEPTION &&
		    in.sqlstate != ERRCODE_PROGRAM_LIMIT_EXCEEDED &&
		    in.sqlstate != ERRCODE_PROTOCOL_VIOLATION)
			vrfuzz::fail("unexpected SQLSTATE from sparsevec_recv:", in.message);
		free(bytes);
		vrfuzz::reset_memory();
		return 0;
	}

	const SparseVector *v = (const SparseVector *)DatumGetPointer(in.result);
	sparsefuzz::check_valid(v);
	if (typmod != -1 && typmod != v->dim)
		vrfuzz::fail("type modifier not enforced");
	if (buf.cursor != 12 + 8 * v->nnz)
		vrfuzz::fail("sparsevec_recv consumed a wrong number of bytes");

	vrfuzz::Outcome out = sparsefuzz::call1(vecrbac_sparsevec_send, PointerGetDatum(v));
	if (out.error)
		vrfuzz::fail("sparsevec_send failed:", out.message);
	const bytea *sent = (const bytea *)DatumGetPointer(out.result);
	if (VARSIZE(sent) - VARHDRSZ != (Size)buf.cursor ||
	    memcmp(VARDATA(sent), bytes, buf.cursor) != 0)
		vrfuzz::fail("sparsevec_send does not reproduce the received bytes");

	free(bytes);
	vrfuzz::reset_memory();
	return 0;
}
