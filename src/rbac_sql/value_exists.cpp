/*
 * value_exists.cpp: whether one row of a collection matches a token's value_exists
 * pairs, looked up once per statement by the claim accessors (rbac_sql.cpp).
 *
 * The caller may not see the collection at all, so the lookup cannot run with the
 * caller's rights. It runs as the owner of the collection's table, with row-level
 * security off for that owner (SECURITY_NOFORCE_RLS), exactly as PostgreSQL runs its
 * foreign-key checks: whatever the owner has attached to the table (a column type, a
 * cast, a view rule) runs with the owner's own rights, never with more. The
 * extension's owner (a superuser) is never used for it.
 *
 * Nothing is resolved through the caller's search_path: the query runs with
 * search_path = pg_catalog, pg_temp, names every object of the extension by schema,
 * takes its table and column names from the registry (quoted), and its values only
 * as parameters. The table must still be an ordinary or partitioned table whose
 * tested columns have the types protect() accepted; otherwise the lookup refuses.
 *
 * On Citus, a reference table (or a Citus local table: one shard) is read through
 * its shard on this node when the node has one: every node then answers from its own
 * copy, and a worker never starts a distributed query from inside a query on a shard
 * (which Citus refuses). Elsewhere the table itself is read.
 *
 * The lookup reads the latest committed state, not the statement's snapshot: in a
 * REPEATABLE READ or SERIALIZABLE transaction that snapshot is the transaction's, and
 * a revocation committed after it would otherwise go unseen until the transaction
 * ends. This is how PostgreSQL's own privilege checks behave (catalog lookups use
 * fresh snapshots): a REVOKE applies at the next statement. The snapshot is taken
 * with GetSnapshotData into a private SnapshotData (what GetLatestSnapshot does,
 * minus its refusal in parallel mode, which the leader of a parallel plan is in at
 * executor start; the snapshot is used by this read only and never shared with
 * workers). In READ COMMITTED it is at least as new as the statement's.
 */
#include "rbac_sql/value_exists.h"

extern "C"
{
#include "access/relation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace
{

/*
 * Runs with search_path = pg_catalog, pg_temp until the matching end_fixed_path:
 * a new GUC nest level, popped on success here and by (sub)transaction abort on error.
 */
int begin_fixed_path()
{
	int nest = NewGUCNestLevel();
	(void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
	                        GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

void end_fixed_path(int nest)
{
	AtEOXact_GUC(true, nest);
}

/* Whether a key column's type is one protect() accepts. */
bool key_type_ok(Oid type)
{
	return type == INT2OID || type == INT4OID || type == INT8OID || type == BOOLOID ||
	       type == TEXTOID || type == UUIDOID;
}

[[noreturn]] void unreadable(Relation rel, const char *why)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
	                errmsg("token is not valid: its value_exists collection cannot be read"),
	                errdetail("Table \"%s\" %s.", RelationGetRelationName(rel), why)));
	pg_unreachable();
}

/* Checks that a tested column still has the type protect() accepted. */
void check_column(Relation rel, const char *column, bool payload)
{
	AttrNumber att = get_attnum(RelationGetRelid(rel), column);
	if (att == InvalidAttrNumber)
		unreadable(rel, "lacks a registered column");
	Oid type = get_atttype(RelationGetRelid(rel), att);
	if (payload ? type != JSONBOID : !key_type_ok(type))
		unreadable(rel, "has a registered column of another type than protect() accepted");
}

/* A copy of s in the memory context that was current at SPI_connect. */
char *spi_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = (char *)SPI_palloc(n);
	memcpy(p, s, n);
	return p;
}

/*
 * The local shard of a Citus table with a single shard (reference and Citus local
 * tables), or InvalidOid: without Citus, for other tables, or when this node holds
 * no placement of it (pg_dist_placement, pg_dist_local_group). Citus names a shard
 * <table>_<shard id>, in the table's schema, owned by the table's owner: a table of
 * that name owned by anyone else is not taken for it.
 */
Oid local_single_shard(Relation rel)
{
	static const char *const catalogs[] = {"pg_dist_partition", "pg_dist_shard",
	                                       "pg_dist_placement", "pg_dist_local_group"};
	for (const char *c : catalogs)
		if (!OidIsValid(get_relname_relid(c, PG_CATALOG_NAMESPACE)))
			return InvalidOid;
	int nest = begin_fixed_path();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	Oid types[1] = {OIDOID};
	Datum values[1] = {ObjectIdGetDatum(RelationGetRelid(rel))};
	int rc = SPI_execute_with_args(
	    "SELECT s.shardid::pg_catalog.text FROM pg_catalog.pg_dist_partition p "
	    "JOIN pg_catalog.pg_dist_shard s ON s.logicalrelid OPERATOR(pg_catalog.=) p.logicalrelid "
	    "WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 "
	    "AND p.partmethod OPERATOR(pg_catalog.=) 'n' "
	    "AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_shard x "
	    "     WHERE x.logicalrelid OPERATOR(pg_catalog.=) $1) OPERATOR(pg_catalog.=) 1 "
	    "AND EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl "
	    "            WHERE pl.shardid OPERATOR(pg_catalog.=) s.shardid AND pl.groupid "
	    "            OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group "
	    "g))",
	    1, types, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading pg_dist_partition failed");
	Oid shard = InvalidOid;
	if (SPI_processed == 1)
	{
		char *id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char name[NAMEDATALEN * 2];
		snprintf(name, sizeof(name), "%s_%s", RelationGetRelationName(rel), id);
		if (strlen(name) < NAMEDATALEN)
			shard = get_relname_relid(name, RelationGetNamespace(rel));
	}
	SPI_finish();
	end_fixed_path(nest);
	if (OidIsValid(shard))
	{
		HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(shard));
		if (!HeapTupleIsValid(tuple))
			return InvalidOid;
		Form_pg_class form = (Form_pg_class)GETSTRUCT(tuple);
		bool genuine = form->relkind == RELKIND_RELATION && form->relowner == rel->rd_rel->relowner;
		ReleaseSysCache(tuple);
		if (!genuine)
			shard = InvalidOid;
	}
	return shard;
}

} // namespace

bool VeReadCollection(const char *collection, VeCollection *out)
{
	int nest = begin_fixed_path();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	Oid types[1] = {TEXTOID};
	Datum values[1] = {CStringGetTextDatum(collection)};
	int rc = SPI_execute_with_args(
	    "SELECT c.rel::pg_catalog.oid, c.payload_column::pg_catalog.text, k.key, k.value "
	    "FROM vecrbac.collections c "
	    "LEFT JOIN LATERAL pg_catalog.jsonb_each_text(c.key_columns) k ON true "
	    "WHERE c.name OPERATOR(pg_catalog.=) $1",
	    1, types, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading vecrbac.collections failed");
	bool found = SPI_processed > 0;
	if (found)
	{
		TupleDesc desc = SPI_tuptable->tupdesc;
		int n = (int)SPI_processed;
		bool isnull;
		out->rel = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], desc, 1, &isnull));
		out->payload_column = spi_strdup(SPI_getvalue(SPI_tuptable->vals[0], desc, 2));
		out->keys = (char **)SPI_palloc(sizeof(char *) * n);
		out->columns = (char **)SPI_palloc(sizeof(char *) * n);
		out->nkeys = 0;
		for (int i = 0; i < n; i++)
		{
			char *key = SPI_getvalue(SPI_tuptable->vals[i], desc, 3);
			if (key == NULL)
				continue; /* no key columns: the one row of the LEFT JOIN */
			out->keys[out->nkeys] = spi_strdup(key);
			out->columns[out->nkeys] = spi_strdup(SPI_getvalue(SPI_tuptable->vals[i], desc, 4));
			out->nkeys++;
		}
	}
	SPI_finish();
	end_fixed_path(nest);
	return found;
}

bool VeRowExists(const VeCollection *collection, const VeTest *tests, int ntests)
{
	static bool running = false;
	static SnapshotData latest = {SNAPSHOT_MVCC};
	/* The lookup reads without policies, so nothing in it can ask for a token again. */
	if (running)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
		         errmsg("token is not valid: its value_exists lookup needs a token itself")));

	Relation rel = try_relation_open(collection->rel, AccessShareLock);
	if (rel == NULL)
		return false; /* dropped meanwhile: no row */
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
	    rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		unreadable(rel, "is no longer a table");
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		unreadable(rel, "is temporary");

	Oid shard = local_single_shard(rel);
	StringInfoData sql;
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT 1 FROM %s WHERE true",
	                 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
	                                            OidIsValid(shard) ? get_rel_name(shard)
	                                                              : RelationGetRelationName(rel)));
	Oid *types = (Oid *)palloc(sizeof(Oid) * (ntests > 0 ? ntests : 1));
	Datum *values = (Datum *)palloc(sizeof(Datum) * (ntests > 0 ? ntests : 1));
	for (int i = 0; i < ntests; i++)
	{
		check_column(rel, tests[i].column, tests[i].payload);
		appendStringInfo(&sql, " AND %s OPERATOR(vecrbac.<@) CAST($%d AS vecrbac.scope)",
		                 quote_identifier(tests[i].column), i + 1);
		types[i] = TEXTOID;
		values[i] = CStringGetTextDatum(tests[i].scope);
	}
	appendStringInfoString(&sql, " LIMIT 1");
	Oid owner = rel->rd_rel->relowner;
	relation_close(rel, NoLock);

	Oid save_user;
	int save_sec;
	GetUserIdAndSecContext(&save_user, &save_sec);
	bool found = false;
	running = true;
	PG_TRY();
	{
		SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
		                                  SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS);
		int nest = begin_fixed_path();
		/* Copied by PushActiveSnapshot; popped by (sub)transaction abort on error. */
		PushActiveSnapshot(GetSnapshotData(&latest));
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		/* read_only: the whole lookup runs with the active snapshot pushed above */
		int rc = SPI_execute_with_args(sql.data, ntests, types, values, NULL, true, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "value_exists lookup failed");
		found = SPI_processed > 0;
		SPI_finish();
		PopActiveSnapshot();
		end_fixed_path(nest);
	}
	PG_FINALLY();
	{
		running = false;
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	return found;
}
