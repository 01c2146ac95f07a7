/*
 * rbac_init.cpp: settings and lazy caches of the rbac part, registered from _PG_init.
 */
#include "pg/pg.h"
#include "module.h"

void vecrbac_rbac_init(void)
{
}
