/*
 * halfvec_recv_fuzzer.cpp: the halfvec type's binary input and output (halfvec_recv,
 * halfvec_send), the code the server runs, linked against test/fuzz/pg_stubs.
 *
 * For any message: halfvec_recv either returns a halfvec or raises one of the errors
 * pgvector raises (or "insufficient data" from pq_getmsg*), never a crash or
 * sanitizer report. A halfvec it returns has 1..16000 finite elements and consumed
 * exactly 4 + 2 * dim bytes, which halfvec_send reproduces byte for byte. The first
 * input byte picks the type modifier (0: none), the rest is the message.
 *
 * fuzz-sources: test/fuzz/pg_stubs.cpp src/vector_sql/halfvec_io.cpp src/vector/float_parse.cpp
 * src/vector/half.cpp fuzz-libs: /usr/lib/postgresql/15/lib/libpgcommon_shlib.a fuzz-pg: yes
 * fuzz-max-len: 36000
 */
#include "pg_stubs.h"
#include "vector_sql/halfvec.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

extern "C"
{
	Datum vecrbac_halfvec_recv(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_send(PG_FUNCTION_ARGS);
}

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

	LOCAL_FCINFO(fcinfo, 3);
	InitFunctionCallInfoData(*fcinfo, NULL, 3, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = PointerGetDatum(&buf);
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = ObjectIdGetDatum(InvalidOid);
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = Int32GetDatum(typmod);
	fcinfo->args[2].isnull = false;
	vrfuzz::Outcome in = vrfuzz::call(vecrbac_halfvec_recv, fcinfo);
	if (in.error)
	{
		if (in.sqlstate != ERRCODE_DATA_EXCEPTION &&
		    in.sqlstate != ERRCODE_PROGRAM_LIMIT_EXCEEDED &&
		    in.sqlstate != ERRCODE_PROTOCOL_VIOLATION)
			vrfuzz::fail("unexpected SQLSTATE from halfvec_recv:", in.message);
		free(bytes);
		vrfuzz::reset_memory();
		return 0;
	}

	const HalfVector *v = (const HalfVector *)DatumGetPointer(in.result);
	if (v->dim < 1 || v->dim > HALFVEC_MAX_DIM || VARSIZE(v) != HALFVEC_SIZE(v->dim) ||
	    v->unused != 0)
		vrfuzz::fail("malformed halfvec accepted");
	if (typmod != -1 && typmod != v->dim)
		vrfuzz::fail("type modifier not enforced");
	for (int i = 0; i < v->dim; i++)
		if (!std::isfinite(vecrbac::half::to_float(v->x[i])))
			vrfuzz::fail("non-finite element accepted");
	if (buf.cursor != 4 + 2 * v->dim)
		vrfuzz::fail("halfvec_recv consumed a wrong number of bytes");

	LOCAL_FCINFO(send_fcinfo, 1);
	InitFunctionCallInfoData(*send_fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	send_fcinfo->args[0].value = PointerGetDatum(v);
	send_fcinfo->args[0].isnull = false;
	vrfuzz::Outcome out = vrfuzz::call(vecrbac_halfvec_send, send_fcinfo);
	if (out.error)
		vrfuzz::fail("halfvec_send failed:", out.message);
	const bytea *sent = (const bytea *)DatumGetPointer(out.result);
	if (VARSIZE(sent) - VARHDRSZ != (Size)buf.cursor ||
	    memcmp(VARDATA(sent), bytes, buf.cursor) != 0)
	{
		/* -0.0 and 0.0 are both accepted and sent as received; any difference is a bug. */
		vrfuzz::fail("halfvec_send does not reproduce the received bytes");
	}

	free(bytes);
	vrfuzz::reset_memory();
	return 0;
}
