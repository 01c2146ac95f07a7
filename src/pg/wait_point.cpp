/*
 * wait_point.cpp: the test-only wait points (wait_point.h) and their setting.
 *
 * vecrbac.test_wait_point is PGC_SUSET and hidden (not in SHOW ALL, pg_settings or
 * the sample file): it exists for the crash and concurrency tests, never for
 * production. Waiting is a heavyweight lock wait, so it is interruptible (query
 * cancel, terminate), visible in pg_locks and pg_stat_activity, and covered by the
 * deadlock detector.
 */
#include "pg/pg.h"
#include "pg/wait_point.h"

extern "C"
{
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/guc.h"
}

#include <cstring>

bool vecrbac_wait_points_on = false;
static char *wait_point_name = NULL;

static void assign_wait_point(const char *newval, void *extra)
{
	vecrbac_wait_points_on = newval != NULL && newval[0] != '\0';
}

void vecrbac_wait_point_init(void)
{
	DefineCustomStringVariable(
	    "vecrbac.test_wait_point",
	    "For tests only: the named point where this session waits while the point is armed.",
	    "Armed by another session holding the advisory lock (1987207779, hashtext(name)).",
	    &wait_point_name, "", PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL,
	    assign_wait_point, NULL);
}

/* Waits for the point's advisory lock if someone holds it; the name selects the point. */
void vecrbac_wait_point_reached(const char *name)
{
	if (wait_point_name == NULL || strcmp(wait_point_name, name) != 0)
		return;
	/* hashtext() of a text in a deterministic collation is hash_any of its bytes. */
	int32 key = (int32)DatumGetUInt32(hash_any((const unsigned char *)name, (int)strlen(name)));
	LOCKTAG tag;
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32)VECRBAC_WAIT_POINT_CLASS, (uint32)key, 2);
	(void)LockAcquire(&tag, ShareLock, false, false);
	LockRelease(&tag, ShareLock, false);
}

void vecrbac_error_point_reached(const char *name)
{
	static const char prefix[] = "error:";
	if (wait_point_name == NULL || strncmp(wait_point_name, prefix, sizeof(prefix) - 1) != 0 ||
	    strcmp(wait_point_name + sizeof(prefix) - 1, name) != 0)
		return;
	ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
	                errmsg("vecrbac test error point \"%s\" reached", name)));
}
