/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers for the migration stream's unit tests (mig.h). */
#ifndef FLOWCTL_MIGS_TEST_H
#define FLOWCTL_MIGS_TEST_H

#include "test.h"
#include "mig.h"

/*
 * Write raw bytes into a pipe and read them back as a frame into @in,
 * with @auth (NULL: unauthenticated). Return: migs_read()'s.
 */
static inline int migs_read_bytes(struct migs_in *in, struct migs_auth *auth,
				  const void *p, size_t len)
{
	int fds[2], ret;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], p, len), (ssize_t)len);
	close(fds[1]);
	ret = migs_read(fds[0], in, auth);
	close(fds[0]);
	return ret;
}

#endif /* FLOWCTL_MIGS_TEST_H */
