/*
 * ivfflat_settings.cpp: the ivfflat.* settings (pgvector's names, ranges and defaults).
 *
 *   ivfflat.probes           lists a scan reads first (1..32768, 1)
 *   ivfflat.iterative_scan   off, relaxed_order: read further lists while rows are wanted
 *   ivfflat.max_probes       lists an iterative or filtered scan may read in all (32768)
 */
#include "ivfflat/ivfflat.h"

extern "C"
{
#include "utils/guc.h"
}

int ivfflat_probes = IVFFLAT_DEFAULT_PROBES;
int ivfflat_iterative_scan = IVFFLAT_ITERATIVE_SCAN_OFF;
int ivfflat_max_probes = IVFFLAT_MAX_LISTS;

static const struct config_enum_entry iterative_scan_options[] = {
    {"off", IVFFLAT_ITERATIVE_SCAN_OFF, false},
    {"relaxed_order", IVFFLAT_ITERATIVE_SCAN_RELAXED, false},
    {NULL, 0, false}};

/* Registers the settings and reserves the ivfflat prefix; called from vecrbac_ivfflat_init. */
void IvfDefineSettings(void)
{
	DefineCustomIntVariable("ivfflat.probes", "Sets the number of probes",
	                        "Valid range is 1..lists.", &ivfflat_probes, IVFFLAT_DEFAULT_PROBES,
	                        IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("ivfflat.iterative_scan", "Sets the mode for iterative scans", NULL,
	                         &ivfflat_iterative_scan, IVFFLAT_ITERATIVE_SCAN_OFF,
	                         iterative_scan_options, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ivfflat.max_probes",
	                        "Sets the max number of probes for iterative scans", NULL,
	                        &ivfflat_max_probes, IVFFLAT_MAX_LISTS, IVFFLAT_MIN_LISTS,
	                        IVFFLAT_MAX_LISTS, PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ivfflat");
}
