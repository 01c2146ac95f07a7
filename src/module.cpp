/*
 * module.cpp: the library's entry: PG_MODULE_MAGIC and _PG_init.
 *
 * _PG_init registers each part's settings, then reserves the vecrbac prefix. It does
 * no other work: caches are built lazily in memory contexts, never by global
 * constructors.
 */
#include "pg/pg.h"
#include "module.h"
#include "pg/wait_point.h"

extern "C"
{
#include "utils/guc.h"
}

extern "C"
{
	__attribute__((visibility("default"))) PG_MODULE_MAGIC;
}

VECRBAC_EXPORT void _PG_init(void);

void _PG_init(void)
{
	vecrbac_hnsw_init();
	vecrbac_ivfflat_init();
	vecrbac_jwt_init();
	vecrbac_rbac_init();
	vecrbac_wait_point_init();
	/*
	 * Every vecrbac.* setting is defined by now: any other name under the prefix is a
	 * typo or an attempt to plant a placeholder, and is refused from here on.
	 */
	MarkGUCPrefixReserved("vecrbac");
}
