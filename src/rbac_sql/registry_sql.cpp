/*
 * registry_sql.cpp: what the registry's event triggers (sql/parts/40_rbac.sql) need
 * from the catalog that SQL cannot read cleanly.
 *
 *   vecrbac._trigger_args(trigger oid) RETURNS text[]
 *
 * The vecrbac_truncate trigger that protect() puts on a table carries the
 * collection's registration as its arguments; pg_trigger keeps them as one bytea of
 * NUL-terminated strings. Not executable by PUBLIC (the event triggers run as the
 * extension's owner).
 */
#include "pg/pg.h"

extern "C"
{
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

/* vecrbac._trigger_args(trigger oid): its arguments, NULL if there is no such trigger. */
VECRBAC_FUNCTION(vecrbac_rbac_trigger_args)
{
	Oid trigger = PG_GETARG_OID(0);
	Relation rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
	            ObjectIdGetDatum(trigger));
	SysScanDesc scan = systable_beginscan(rel, TriggerOidIndexId, true, NULL, 1, &key);
	HeapTuple tup = systable_getnext(scan);
	ArrayType *result = NULL;
	if (HeapTupleIsValid(tup))
	{
		Form_pg_trigger form = (Form_pg_trigger)GETSTRUCT(tup);
		int nargs = form->tgnargs;
		Datum *items = (Datum *)palloc(sizeof(Datum) * (nargs > 0 ? nargs : 1));
		if (nargs > 0)
		{
			bool isnull;
			Datum raw = fastgetattr(tup, Anum_pg_trigger_tgargs, RelationGetDescr(rel), &isnull);
			bytea *args = isnull ? NULL : DatumGetByteaPP(raw);
			const char *p = args ? VARDATA_ANY(args) : NULL;
			const char *end = args ? p + VARSIZE_ANY_EXHDR(args) : NULL;
			for (int i = 0; i < nargs; i++)
			{
				/* Each argument ends with a NUL; a short bytea ends the list early. */
				const char *nul = p ? (const char *)memchr(p, '\0', end - p) : NULL;
				if (nul == NULL)
				{
					nargs = i;
					break;
				}
				items[i] = PointerGetDatum(cstring_to_text_with_len(p, (int)(nul - p)));
				p = nul + 1;
			}
		}
		result = construct_array(items, nargs, TEXTOID, -1, false, TYPALIGN_INT);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}
