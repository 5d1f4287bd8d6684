/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command line parsing helpers.
 */
#ifndef FLOWCTL_PARSE_H
#define FLOWCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_USAGE	2

enum parse_err {
	PARSE_OK,
	PARSE_EMPTY,
	PARSE_NEGATIVE,
	PARSE_NOT_NUMBER,
	PARSE_RANGE,
};

enum parse_err parse_uint(const char *arg, uint64_t max, uint64_t *val);
enum parse_err parse_u32(const char *arg, uint32_t *val);
int parse_addr(const char *arg, uint8_t *family, uint8_t addr[16]);
int parse_errmsg(char *buf, size_t len, const char *what, const char *arg,
		 enum parse_err err, uint64_t max);
bool is_help(const char *arg);
int usage_error(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* FLOWCTL_PARSE_H */
