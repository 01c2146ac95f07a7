/*
 * executor_check.cpp: statement-level authorization of protected tables, at executor
 * start (declared in executor_check.h).
 */
#include "pg/pg.h"

#include "rbac_sql/executor_check.h"

extern "C"
{
#include "access/relation.h"
#include "executor/executor.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

#include "rbac_sql/token_check.h"

#include <cstring>

/*
 * Whether a trigger is a protected table's vecrbac_truncate, or the same trigger on a
 * Citus shard, vecrbac_truncate_<shard id> (docs/scaling.md).
 */
static bool is_registration(const char *name)
{
	static const char prefix[] = "vecrbac_truncate";
	size_t n = sizeof(prefix) - 1;
	if (std::strncmp(name, prefix, n) != 0)
		return false;
	if (name[n] == '\0')
		return true;
	if (name[n] != '_' || name[n + 1] == '\0')
		return false;
	for (const char *p = name + n + 1; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * The vecrbac_truncate trigger of a protected table (vecrbac.protect creates it; its
 * arguments are the collection, the payload column and the key columns as JSON), read
 * from the relcache. NULL if none.
 */
static const Trigger *registration_of(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	if (td == nullptr)
		return nullptr;
	for (int i = 0; i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];
		if (t->tgnargs >= 1 && is_registration(t->tgname))
			return t;
	}
	return nullptr;
}

static ExecutorCheckPerms_hook_type previous_check_perms = nullptr;

/*
 * Statement-level authorization, at executor start. Policies test the token on rows,
 * and PostgreSQL keeps a policy's variable-free clauses (the authorize() call) at the
 * scan instead of making them one-time filters, so a statement on an empty table
 * would never ask. Here every protected table a statement reads or writes is checked
 * once, before any row: read for SELECT rights, write for INSERT, UPDATE, DELETE.
 * Only where row-level security applies (not for owners without FORCE, superusers
 * or BYPASSRLS roles), exactly as for the policies. The statement's record (its
 * token, see start_statement) is made here, on its first protected table.
 */
static bool check_perms(List *range_table, bool ereport_on_violation)
{
	if (previous_check_perms != nullptr && !previous_check_perms(range_table, ereport_on_violation))
		return false;
	RbacStatement *statement = nullptr;
	ListCell *lc;
	foreach (lc, range_table)
	{
		RangeTblEntry *rte = (RangeTblEntry *)lfirst(lc);
		if (rte->rtekind != RTE_RELATION || rte->requiredPerms == 0 ||
		    (rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE))
			continue;
		if (check_enable_rls(rte->relid, rte->checkAsUser, true) != RLS_ENABLED)
			continue;
		Relation rel = relation_open(rte->relid, AccessShareLock);
		const Trigger *found = registration_of(rel);
		char *collection = found ? pstrdup(found->tgargs[0]) : nullptr;
		char *key_columns = found && found->tgnargs >= 3 ? pstrdup(found->tgargs[2]) : nullptr;
		relation_close(rel, NoLock);
		if (collection == nullptr)
			continue;
		if (statement == nullptr)
			statement = RbacStartStatement();
		if (rte->requiredPerms & ACL_SELECT)
			vecrbac::rbac_pg::check_access(collection, vecrbac::rbac::Operation::Read, statement);
		if (rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE))
			vecrbac::rbac_pg::check_access(collection, vecrbac::rbac::Operation::Write, statement);
		if (key_columns != nullptr)
			vecrbac::rbac_pg::check_key_types(collection, rte->relid, key_columns, statement);
	}
	return true;
}

void RbacInstallExecutorCheck(void)
{
	previous_check_perms = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = check_perms;
}
