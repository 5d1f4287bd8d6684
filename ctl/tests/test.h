/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers for the flowctl unit tests. */
#ifndef FLOWCTL_TEST_H
#define FLOWCTL_TEST_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "flowctl.h"

/* Printed output captured in memory. */
struct capture {
	char *buf;
	size_t len;
	FILE *fp;
	struct output *o;
};

static inline void cap_start(struct capture *c, unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
	c->o = out_new(c->fp, flags);
	assert_non_null(c->o);
}

/* Finish output; the caller frees c->buf. */
static inline const char *cap_end(struct capture *c)
{
	assert_int_equal(out_finish(c->o), 0);
	out_free(c->o);
	fclose(c->fp);
	return c->buf;
}

/* A generic netlink message as the kernel would send it. */
static inline struct nlmsghdr *genl_msg(void *buf, uint16_t type, uint8_t cmd,
					unsigned int seq, unsigned int portid)
{
	struct nlmsghdr *nlh = fs_nl_put_request(buf, type, cmd, 1, seq);

	nlh->nlmsg_flags = 0;
	nlh->nlmsg_pid = portid;
	return nlh;
}

/* Capture what is written to stderr between stderr_begin() and stderr_end(). */
static int saved_stderr = -1;
static FILE *stderr_file;

static inline void stderr_begin(void)
{
	fflush(stderr);
	stderr_file = tmpfile();
	assert_non_null(stderr_file);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(stderr_file), 2) == 2);
}

static inline const char *stderr_end(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(stderr_file);
	n = fread(buf, 1, len - 1, stderr_file);
	buf[n] = '\0';
	fclose(stderr_file);
	return buf;
}

/*
 * Define static int @name(@type *out, char *err, int argc, ...): @parse,
 * a *_parse_args(argc, argv, out), on the @argc words after argc, what
 * it writes to stderr in @err (512 bytes); its result.
 */
#define PARSE_WORDS_FN(name, type, parse)				\
static int name(type *out, char *err, int argc, ...)			\
{									\
	char *argv[32];							\
	va_list ap;							\
	int i, ret;							\
									\
	assert_true(argc <= 32);					\
	va_start(ap, argc);						\
	for (i = 0; i < argc; i++)					\
		argv[i] = va_arg(ap, char *);				\
	va_end(ap);							\
	stderr_begin();							\
	ret = parse(argc, argv, out);					\
	stderr_end(err, 512);						\
	return ret;							\
}

#endif /* FLOWCTL_TEST_H */
