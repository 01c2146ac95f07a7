/*
 * wait_point.h: named points where a test can stop a backend (and crash the server
 * there), instead of guessing with a sleep.
 *
 * A superuser sets vecrbac.test_wait_point = 'name' in the session to stop; another
 * session arms the point by holding the advisory lock
 * pg_advisory_lock(VECRBAC_WAIT_POINT_CLASS, hashtext('name')). When the first
 * session reaches VECRBAC_WAIT_POINT("name") it waits for that lock in share mode:
 * pg_locks shows the waiting request (which names the point), the isolation tester
 * sees the session blocked, and the test kills the server or releases the lock.
 * Unarmed (no holder), a point passes straight through. With the setting empty,
 * which is the default, a point costs one predicted branch on a bool.
 *
 * A point may only be placed where the backend holds no buffer lock or LWLock and
 * is outside any critical section: waiting there must not block anyone else.
 * The points are listed in docs/reliability.md.
 */
#pragma once

/* The first key of every wait point's advisory lock: 'vrbc'. */
#define VECRBAC_WAIT_POINT_CLASS 1987207779

extern bool vecrbac_wait_points_on;
void vecrbac_wait_point_reached(const char *name);
void vecrbac_error_point_reached(const char *name);
void vecrbac_wait_point_init(void);

/*
 * An error point: with vecrbac.test_wait_point = 'error:<name>', the backend raises an
 * ERROR there, no lock needed. It may sit where buffer locks are held (the abort
 * releases them): it shows what an error or a crash between two WAL records leaves.
 */
#define VECRBAC_ERROR_POINT(name)                                                                  \
	do                                                                                             \
	{                                                                                              \
		if (unlikely(vecrbac_wait_points_on))                                                      \
			vecrbac_error_point_reached(name);                                                     \
	} while (0)

#define VECRBAC_WAIT_POINT(name)                                                                   \
	do                                                                                             \
	{                                                                                              \
		if (unlikely(vecrbac_wait_points_on))                                                      \
			vecrbac_wait_point_reached(name);                                                      \
	} while (0)
