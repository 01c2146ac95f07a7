/*
 * pg_stubs.cpp: the stand-ins described in pg_stubs.h. Postgres-dialect C++ (no
 * objects with destructors in frames an "ereport" unwinds through).
 */
#include "pg_stubs.h"

extern "C"
{
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/memutils.h"
}

#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace
{

/* Every live allocation, so that an input's memory can be freed after an error. */
void **allocations;
size_t nallocations, capallocations;

sigjmp_buf *error_jump;
int pending_elevel;
int pending_sqlstate;
char pending_message[512];
char message_copy[512];

void track(void *p)
{
	if (nallocations == capallocations)
	{
		capallocations = capallocations ? capallocations * 2 : 1024;
		allocations = (void **)realloc(allocations, capallocations * sizeof(void *));
		if (allocations == NULL)
			abort();
	}
	allocations[nallocations++] = p;
}

void untrack(void *p, void *replacement)
{
	for (size_t i = nallocations; i-- > 0;)
		if (allocations[i] == p)
		{
			allocations[i] = replacement;
			return;
		}
	vrfuzz::fail("pfree or repalloc of a pointer palloc did not return");
}

[[noreturn]] void raise_error(int sqlstate, const char *message)
{
	pending_elevel = ERROR;
	pending_sqlstate = sqlstate;
	snprintf(pending_message, sizeof(pending_message), "%s", message);
	errfinish(__FILE__, __LINE__, __func__);
	abort();
}

void *checked_alloc(Size size, bool zero)
{
	/* As palloc: requests above MaxAllocSize are errors, not allocations. */
	if (!AllocSizeIsValid(size))
		raise_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "invalid memory alloc request size");
	void *p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	if (p == NULL)
		abort();
	track(p);
	return p;
}

} // namespace

namespace vrfuzz
{

Outcome call(PGFunction fn, FunctionCallInfo fcinfo)
{
	sigjmp_buf jump;
	Outcome out;
	memset(&out, 0, sizeof(out));
	if (sigsetjmp(jump, 0) == 0)
	{
		error_jump = &jump;
		out.result = fn(fcinfo);
		error_jump = NULL;
		return out;
	}
	error_jump = NULL;
	out.error = true;
	out.sqlstate = pending_sqlstate;
	memcpy(message_copy, pending_message, sizeof(message_copy));
	out.message = message_copy;
	return out;
}

void reset_memory()
{
	for (size_t i = 0; i < nallocations; i++)
		free(allocations[i]);
	nallocations = 0;
}

void fail(const char *what, const char *detail)
{
	fprintf(stderr, "vrfuzz: %s %s\n", what, detail);
	abort();
}

} // namespace vrfuzz

extern "C"
{

	/* ---- elog.c ---------------------------------------------------------------------- */
	bool errstart(int elevel, const char *domain)
	{
		if (elevel < ERROR)
			return false; /* NOTICE and below: nothing to do here */
		pending_elevel = elevel;
		pending_sqlstate = ERRCODE_INTERNAL_ERROR; /* elog's default: a finding */
		pending_message[0] = '\0';
		return true;
	}

	bool errstart_cold(int elevel, const char *domain)
	{
		return errstart(elevel, domain);
	}

	int errcode(int sqlerrcode)
	{
		pending_sqlstate = sqlerrcode;
		return 0;
	}

	int errmsg(const char *fmt, ...)
	{
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(pending_message, sizeof(pending_message), fmt, ap);
		va_end(ap);
		return 0;
	}

	int errmsg_internal(const char *fmt, ...)
	{
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(pending_message, sizeof(pending_message), fmt, ap);
		va_end(ap);
		return 0;
	}

	int errdetail(const char *fmt, ...)
	{
		return 0;
	}

	int errhint(const char *fmt, ...)
	{
		return 0;
	}

	void errfinish(const char *filename, int lineno, const char *funcname)
	{
		if (pending_elevel > ERROR)
			vrfuzz::fail("FATAL or PANIC raised", pending_message);
		if (error_jump == NULL)
			vrfuzz::fail("ereport(ERROR) outside a harness call", pending_message);
		siglongjmp(*error_jump, 1);
	}

	/* ---- mcxt.c ----------------------------------------------------------------------- */
	void *palloc(Size size)
	{
		return checked_alloc(size, false);
	}

	void *palloc0(Size size)
	{
		return checked_alloc(size, true);
	}

	void *palloc_extended(Size size, int flags)
	{
		return checked_alloc(size, (flags & MCXT_ALLOC_ZERO) != 0);
	}

	void *MemoryContextAlloc(MemoryContext context, Size size)
	{
		return checked_alloc(size, false);
	}

	void pfree(void *pointer)
	{
		untrack(pointer, NULL);
		free(pointer);
	}

	void *repalloc(void *pointer, Size size)
	{
		if (!AllocSizeIsValid(size))
			raise_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "invalid memory alloc request size");
		void *p = realloc(pointer, size ? size : 1);
		if (p == NULL)
			abort();
		untrack(pointer, p);
		return p;
	}

	char *pnstrdup(const char *in, Size len)
	{
		len = strnlen(in, len);
		char *out = (char *)checked_alloc(len + 1, false);
		memcpy(out, in, len);
		out[len] = '\0';
		return out;
	}

	/* ---- fmgr.c: values built by the harness are never toasted ------------------------ */
	struct varlena *pg_detoast_datum(struct varlena *datum)
	{
		if (VARATT_IS_EXTENDED(datum))
			vrfuzz::fail("a toasted or short-header value reached the harness");
		return datum;
	}

	/* ---- stringinfo.c ------------------------------------------------------------------- */
	void enlargeStringInfo(StringInfo str, int needed)
	{
		if (needed < 0 || ((Size)needed) >= (MaxAllocSize - (Size)str->len))
			raise_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "out of memory");
		needed += str->len + 1;
		if (needed <= str->maxlen)
			return;
		int newlen = 2 * str->maxlen;
		while (needed > newlen)
			newlen = 2 * newlen;
		str->data = (char *)repalloc(str->data, newlen);
		str->maxlen = newlen;
	}

	/* ---- pqformat.c --------------------------------------------------------------------- */
	unsigned int pq_getmsgint(StringInfo msg, int b)
	{
		unsigned char bytes[4];
		if (b != 1 && b != 2 && b != 4)
			vrfuzz::fail("pq_getmsgint of an unsupported size");
		if (msg->cursor < 0 || b > msg->len - msg->cursor)
			raise_error(ERRCODE_PROTOCOL_VIOLATION, "insufficient data left in message");
		memcpy(bytes, msg->data + msg->cursor, b);
		msg->cursor += b;
		unsigned int v = 0;
		for (int i = 0; i < b; i++)
			v = (v << 8) | bytes[i];
		return v;
	}

	float4 pq_getmsgfloat4(StringInfo msg)
	{
		union
		{
			float4 f;
			uint32 i;
		} swap;
		swap.i = pq_getmsgint(msg, 4);
		return swap.f;
	}

	void pq_begintypsend(StringInfo buf)
	{
		buf->maxlen = 1024;
		buf->data = (char *)palloc(buf->maxlen);
		buf->len = VARHDRSZ; /* room for the varlena header */
		buf->cursor = 0;
		buf->data[buf->len] = '\0';
	}

	bytea *pq_endtypsend(StringInfo buf)
	{
		bytea *result = (bytea *)buf->data;
		SET_VARSIZE(result, buf->len);
		return result;
	}

	void pq_sendfloat4(StringInfo buf, float4 f)
	{
		union
		{
			float4 f;
			uint32 i;
		} swap;
		swap.f = f;
		pq_sendint32(buf, swap.i);
	}

	/* ---- numutils.c: sparsevec_out prints indices and dimensions with pg_ltoa -------- */
	int pg_ltoa(int32 value, char *a)
	{
		return snprintf(a, 12, "%d", value); /* PostgreSQL's contract: at most 11 chars + NUL */
	}

	/* ---- arrayutils.c: only the typmod_in functions use it, and no target calls them -- */
	int32 *ArrayGetIntegerTypmods(ArrayType *arr, int *n)
	{
		vrfuzz::fail("ArrayGetIntegerTypmods is not stubbed");
	}

} // extern "C"
