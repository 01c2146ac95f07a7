/*
 * jwt_init.cpp: settings and lazy caches of the jwt part, registered from _PG_init.
 */
#include "pg/pg.h"
#include "module.h"

void vecrbac_jwt_init(void)
{
}
