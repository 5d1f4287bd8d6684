// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsing helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "parse.h"

/*
 * Strictly parse an unsigned number, decimal or "0x" hexadecimal, at most
 * @max. No sign, no whitespace, no trailing characters.
 */
enum parse_err parse_uint(const char *arg, uint64_t max, uint64_t *val)
{
	unsigned long long v;
	const char *s = arg;
	int base = 10;
	char *end;

	if (!s || !*s)
		return PARSE_EMPTY;
	if (*s == '-')
		return PARSE_NEGATIVE;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return PARSE_NOT_NUMBER;
	} else if (!isdigit((unsigned char)*s)) {
		return PARSE_NOT_NUMBER;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return PARSE_NOT_NUMBER;
	if (errno == ERANGE || v > max)
		return PARSE_RANGE;
	*val = v;
	return PARSE_OK;
}

enum parse_err parse_u32(const char *arg, uint32_t *val)
{
	enum parse_err err;
	uint64_t v;

	err = parse_uint(arg, UINT32_MAX, &v);
	if (err == PARSE_OK)
		*val = v;
	return err;
}

/*
 * An IPv4 or IPv6 address in the usual notation (inet_pton()) into @addr,
 * network byte order, 4 or 16 bytes; @family is set to AF_INET or AF_INET6.
 * Returns 0 or -1.
 */
int parse_addr(const char *arg, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, arg, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, arg, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

/* "invalid value "-1" for "node-id": ..." (no "Error: " prefix). */
int parse_errmsg(char *buf, size_t len, const char *what, const char *arg,
		 enum parse_err err, uint64_t max)
{
	switch (err) {
	case PARSE_OK:
		break;
	case PARSE_EMPTY:
		return snprintf(buf, len, "empty value for \"%s\"", what);
	case PARSE_NEGATIVE:
		return snprintf(buf, len,
				"invalid value \"%s\" for \"%s\": must not be negative",
				arg, what);
	case PARSE_NOT_NUMBER:
		return snprintf(buf, len,
				"invalid value \"%s\" for \"%s\": not a decimal or 0x-prefixed hexadecimal number",
				arg, what);
	case PARSE_RANGE:
		return snprintf(buf, len,
				"invalid value \"%s\" for \"%s\": out of range (maximum %" PRIu64 ")",
				arg, what, max);
	}
	if (len)
		buf[0] = '\0';
	return 0;
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

/* Report a command line error; returns EXIT_USAGE. */
int usage_error(const char *object, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"flowctl %s%shelp\".\n", object ? object : "",
		object ? " " : "");
	return EXIT_USAGE;
}
