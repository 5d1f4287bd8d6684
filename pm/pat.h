/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream PMs: byte patterns for "match" and "replace".
 *
 * A pattern is written as text where "\xNN" is the byte 0xNN (two hex
 * digits) and "\\" is one backslash; every other byte stands for itself.
 * Patterns are matched with Knuth-Morris-Pratt: the matcher's state is
 * the length of the longest prefix of the pattern that ends the bytes seen
 * so far, so it carries across segments and fits in a byte.
 */
#ifndef _FLOWSTREAM_PM_PAT_H
#define _FLOWSTREAM_PM_PAT_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>

#define FOS_PAT_MAX	64

/**
 * struct fos_pat - a compiled pattern
 * @len: bytes, 1..FOS_PAT_MAX
 * @b: the bytes
 * @fail: KMP failure function: @fail[i] is the length of the longest
 *	proper prefix of @b[0..i] that is also its suffix
 */
struct fos_pat {
	unsigned int len;
	u8 b[FOS_PAT_MAX];
	u8 fail[FOS_PAT_MAX];
};

/**
 * fos_pat_parse() - compile the pattern text @s[0..@n)
 * @p: the result
 * @s: the text (need not be NUL-terminated)
 * @n: its length
 * @why: set to a message for the user on error
 *
 * Return: 0 or -EINVAL.
 */
static inline int fos_pat_parse(struct fos_pat *p, const char *s, size_t n,
				const char **why)
{
	size_t i = 0;
	unsigned int k, q;
	int hi, lo;

	p->len = 0;
	while (i < n) {
		u8 c = s[i++];

		if (c == '\\') {
			hi = i + 2 < n && s[i] == 'x' ? hex_to_bin(s[i + 1]) : -1;
			lo = hi >= 0 ? hex_to_bin(s[i + 2]) : -1;
			if (i < n && s[i] == '\\') {
				i++;
			} else if (lo >= 0) {
				c = hi << 4 | lo;
				i += 3;
			} else {
				*why = "bad escape in pattern: use \\xNN (two hex digits) or \\\\";
				return -EINVAL;
			}
		}
		if (p->len == FOS_PAT_MAX) {
			*why = "pattern longer than 64 bytes";
			return -EINVAL;
		}
		p->b[p->len++] = c;
	}
	if (!p->len) {
		*why = "empty pattern";
		return -EINVAL;
	}
	p->fail[0] = 0;
	for (k = 1, q = 0; k < p->len; k++) {
		while (q && p->b[k] != p->b[q])
			q = p->fail[q - 1];
		if (p->b[k] == p->b[q])
			q++;
		p->fail[k] = q;
	}
	return 0;
}

/**
 * fos_pat_step() - feed one byte to the matcher
 * @p: the pattern
 * @q: the state, 0..@p->len - 1
 * @c: the byte
 *
 * Return: the new state; @p->len means an occurrence ends at @c (the
 * caller then continues from 0, or from @p->fail[@p->len - 1] to count
 * overlapping occurrences).
 */
static inline unsigned int fos_pat_step(const struct fos_pat *p,
					unsigned int q, u8 c)
{
	while (q && p->b[q] != c)
		q = p->fail[q - 1];
	return p->b[q] == c ? q + 1 : 0;
}

#endif /* _FLOWSTREAM_PM_PAT_H */
