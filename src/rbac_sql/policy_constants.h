/*
 * policy_constants.h: the token policies of a scan that tests every row of a table,
 * with the claim accessors' answers as constants (policy_constants.cpp).
 */
#pragma once

/* Installs the ExecutorStart hook; from _PG_init. */
void RbacInstallPolicyConstants(void);
