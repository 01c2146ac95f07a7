/*
 * module.h: per-part initialisation hooks called from _PG_init.
 *
 * Each part defines its hook in its own folder (settings, lazily built caches).
 */
#pragma once

void vecrbac_hnsw_init(void);
void vecrbac_ivfflat_init(void);
void vecrbac_jwt_init(void);
void vecrbac_rbac_init(void);
