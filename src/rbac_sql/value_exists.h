/*
 * value_exists.h: the database lookup behind a token's value_exists condition
 * (PostgreSQL-style glue; see value_exists.cpp).
 */
#pragma once

#include "pg/pg.h"

/* A collection's entry in vecrbac.collections, palloc'd. */
typedef struct VeCollection
{
	Oid rel;
	char *payload_column;
	int nkeys;
	char **keys;    /* token keys of key columns */
	char **columns; /* their columns */
} VeCollection;

/* One condition of the lookup: a column and the vecrbac.scope text its value must lie in. */
typedef struct VeTest
{
	const char *column;
	const char *scope;
	bool payload; /* column is the payload column */
} VeTest;

/* Reads a collection's registry entry; false if it is not registered. */
bool VeReadCollection(const char *collection, VeCollection *out);

/* Whether one row of the collection passes every test, read as described in value_exists.cpp. */
bool VeRowExists(const VeCollection *collection, const VeTest *tests, int ntests);
