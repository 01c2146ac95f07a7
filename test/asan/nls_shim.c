/*
 * nls_shim.c: preloaded after the ASan runtime into the servers of scripts/asan.sh.
 *
 * With an ASan runtime preloaded, the constructor of libp11-kit (which postgres
 * loads through libldap and gnutls) leaves glibc's gettext lock (_nl_state_lock)
 * with a negative reader count, and PostgreSQL's first bindtextdomain() call in
 * main() then waits on it for ever (seen with gcc 12's libasan and clang 14's, on
 * Debian 12). The servers under test need no message translations, so this shim
 * answers bindtextdomain() without touching the lock.
 */
char *bindtextdomain(const char *domain, const char *dir);
char *bind_textdomain_codeset(const char *domain, const char *codeset);

char *bindtextdomain(const char *domain, const char *dir)
{
	(void) domain;
	return (char *) dir;
}

char *bind_textdomain_codeset(const char *domain, const char *codeset)
{
	(void) domain;
	return (char *) codeset;
}
