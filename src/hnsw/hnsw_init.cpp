/*
 * hnsw_init.cpp: settings and lazy caches of the hnsw part, registered from _PG_init.
 */
#include "pg/pg.h"
#include "module.h"

void vecrbac_hnsw_init(void)
{
}
