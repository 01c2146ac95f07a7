/*
 * pg.h: the one way a C++ file includes PostgreSQL.
 *
 * PostgreSQL headers are C: they need C linkage, and postgres.h must come before
 * any C++ standard header because port.h renames snprintf and friends. Files that
 * need more server headers include them after this one, inside extern "C".
 */
#pragma once

extern "C"
{
#include "postgres.h"
#include "fmgr.h"
}

/*
 * VECRBAC_FUNCTION(name) declares a SQL-callable V1 function with C linkage and
 * default visibility (the library is built with -fvisibility=hidden, and
 * PostgreSQL 15's PGDLLEXPORT is empty on Linux). Exported names carry the
 * vecrbac_ prefix because backends load libraries with RTLD_GLOBAL.
 */
#define VECRBAC_FUNCTION(name)                                                                     \
	extern "C"                                                                                     \
	{                                                                                              \
		__attribute__((visibility("default"))) Datum name(PG_FUNCTION_ARGS);                       \
		__attribute__((visibility("default"))) const Pg_finfo_record *pg_finfo_##name(void);       \
		const Pg_finfo_record *pg_finfo_##name(void)                                               \
		{                                                                                          \
			static const Pg_finfo_record finfo = {1};                                              \
			return &finfo;                                                                         \
		}                                                                                          \
	}                                                                                              \
	extern "C" Datum name(PG_FUNCTION_ARGS)

/* Marks a non-SQL symbol that PostgreSQL looks up by name (_PG_init, AM handlers). */
#define VECRBAC_EXPORT extern "C" __attribute__((visibility("default")))
