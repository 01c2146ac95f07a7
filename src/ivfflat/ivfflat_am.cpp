/*
 * ivfflat_am.cpp: the ivfflat access method handler, its option `lists` and the names
 * of its build phases. Settings are in ivfflat_settings.cpp, costs in ivfflat_cost.cpp.
 */
#include "ivfflat/ivfflat.h"
#include "module.h"

extern "C"
{
#include "access/reloptions.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
}

static relopt_kind ivfflat_relopt_kind;

void vecrbac_ivfflat_init(void)
{
	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists", "Number of inverted lists",
	                  IVFFLAT_DEFAULT_LISTS, IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS,
	                  AccessExclusiveLock);
	IvfDefineSettings();
	IvfInstallExecutorHook();
}

int IvfGetLists(Relation index)
{
	IvfOptions *opts = (IvfOptions *)index->rd_options;
	return opts ? opts->lists : IVFFLAT_DEFAULT_LISTS;
}

static bytea *ivfflat_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
	    {"lists", RELOPT_TYPE_INT, offsetof(IvfOptions, lists)},
	};
	return (bytea *)build_reloptions(reloptions, validate, ivfflat_relopt_kind, sizeof(IvfOptions),
	                                 tab, lengthof(tab));
}

static char *ivfflat_buildphasename(int64 phase)
{
	switch (phase)
	{
	case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
		return (char *)"initializing";
	case IVFFLAT_PHASE_KMEANS:
		return (char *)"performing k-means";
	case IVFFLAT_PHASE_ASSIGN:
		return (char *)"assigning tuples";
	case IVFFLAT_PHASE_LOAD:
		return (char *)"loading tuples";
	default:
		return NULL;
	}
}

VECRBAC_FUNCTION(vecrbac_ivfflat_handler)
{
	IndexAmRoutine *am = makeNode(IndexAmRoutine);

	am->amstrategies = 0;
	am->amsupport = IVFFLAT_SUPPORT_PROCS;
	am->amoptsprocnum = 0;
	am->amcanorder = false;
	am->amcanorderbyop = true;
	am->amcanbackward = false;
	am->amcanunique = false;
	am->amcanmulticol = true;
	am->amoptionalkey = true;
	am->amsearcharray = true;
	am->amsearchnulls = false;
	am->amstorage = false;
	am->amclusterable = false;
	am->ampredlocks = false;
	am->amcanparallel = false;
	am->amcaninclude = false;
	am->amusemaintenanceworkmem = false;
	am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	am->amkeytype = InvalidOid;

	am->ambuild = ivfflat_build;
	am->ambuildempty = ivfflat_buildempty;
	am->aminsert = ivfflat_insert;
	am->ambulkdelete = ivfflat_bulkdelete;
	am->amvacuumcleanup = ivfflat_vacuumcleanup;
	am->amcanreturn = NULL;
	am->amcostestimate = ivfflat_costestimate;
	am->amoptions = ivfflat_options;
	am->amproperty = NULL;
	am->ambuildphasename = ivfflat_buildphasename;
	am->amvalidate = ivfflat_validate;
	am->amadjustmembers = NULL;
	am->ambeginscan = ivfflat_beginscan;
	am->amrescan = ivfflat_rescan;
	am->amgettuple = ivfflat_gettuple;
	am->amgetbitmap = NULL;
	am->amendscan = ivfflat_endscan;
	am->ammarkpos = NULL;
	am->amrestrpos = NULL;
	am->amestimateparallelscan = NULL;
	am->aminitparallelscan = NULL;
	am->amparallelrescan = NULL;

	PG_RETURN_POINTER(am);
}
