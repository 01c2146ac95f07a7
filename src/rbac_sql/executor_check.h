/*
 * executor_check.h: the executor-start check of statements on protected tables.
 *
 * Policies test the token row by row, so a statement that reads no row (an empty
 * table, a scope that excludes everything) would never look at a forged or expired
 * token; this check authorizes every statement that touches a protected table before
 * its first row, and makes the statement's token record (statement_token.h).
 */
#pragma once

/* Installs the ExecutorCheckPerms hook; from _PG_init. */
void RbacInstallExecutorCheck(void);
