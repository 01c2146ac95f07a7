/*
 * vector_init.cpp: settings and lazy caches of the vector part, registered from _PG_init.
 */
#include "pg/pg.h"
#include "module.h"

void vecrbac_vector_init(void) {}
